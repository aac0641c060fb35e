using System.Globalization;
using System.Text;
using Npgsql;

namespace HcpPlatform.Postgres;

/// <summary>
/// A local PostgreSQL cluster run from the machine's binaries: initdb when the data directory is empty,
/// our settings written at every start, pg_ctl start/stop/status. As root, every program runs as the
/// <c>postgres</c> OS user and the data directory is given to it.
/// </summary>
public sealed class PostgresCluster
{
    /// <summary>Our settings, included from postgresql.conf and rewritten at every start.</summary>
    public const string SettingsFileName = "hcpplatform.conf";

    public const string LogFileName = "server.log";

    /// <summary>Unix socket paths are limited to ~107 bytes; longer data directories get no socket.</summary>
    private const int MaxSocketDirectoryLength = 90;

    private const long MaxLogBytesBeforeRotation = 16 * 1024 * 1024;

    private readonly PostgresClusterOptions _options;

    public PostgresCluster(PostgresClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
        _options = options;
        DataDirectory = Path.GetFullPath(options.DataDirectory);
        BinDirectory = PostgresBinaries.Locate(options.BinDirectory);
    }

    public string DataDirectory { get; }

    public string BinDirectory { get; }

    public int Port => _options.Port;

    public string LogFile => Path.Combine(DataDirectory, LogFileName);

    /// <summary>initdb has run here (PG_VERSION is the last thing it writes that we can rely on).</summary>
    public bool IsInitialized => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    /// <summary>Trust authentication on loopback: user postgres, no password.</summary>
    public string GetConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = ProcessRunner.PostgresUser,
            Database = database,
        }.ConnectionString;

    /// <summary>Creates and initialises the data directory when needed and writes our settings.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        if (!IsInitialized)
        {
            Directory.CreateDirectory(DataDirectory);
            if (Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            {
                throw new InvalidOperationException(
                    $"{DataDirectory} is not empty but holds no PostgreSQL cluster (no PG_VERSION). " +
                    "Empty it or choose another data directory.");
            }
            await ProcessRunner.ChownToPostgresAsync([DataDirectory], recursive: false, ct);
            await ProcessRunner.EnsurePostgresCanUseAsync(DataDirectory, ct);

            var arguments = new List<string>
            {
                "-D", DataDirectory, "-U", ProcessRunner.PostgresUser, "--auth=trust", "-E", "UTF8", "--locale=C",
            };
            if (!_options.Durable)
            {
                arguments.Add("--no-sync");
            }
            var result = await ProcessRunner.RunAsPostgresAsync(Program("initdb"), arguments, ct);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"initdb failed for {DataDirectory} (exit code {result.ExitCode}):\n{result.Output}");
            }
        }

        await WriteSettingsAsync(ct);
    }

    /// <summary>
    /// Starts the cluster (initialising it first when needed). Returns at once if it already runs, on whatever
    /// port it was started with (see <see cref="GetStatusAsync"/>).
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if ((await GetStatusAsync(ct)).Running)
        {
            return;
        }

        await InitializeAsync(ct);
        RotateLogIfLarge();

        var seconds = ((int)Math.Ceiling(_options.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var result = await ProcessRunner.RunAsPostgresAsync(
            Program("pg_ctl"), ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", seconds], ct);
        if (!result.Succeeded)
        {
            throw StartFailure($"pg_ctl start exited with code {result.ExitCode}: {result.Output}");
        }

        await WaitUntilAcceptingConnectionsAsync(ct);
    }

    /// <summary>Stops the cluster if it runs.</summary>
    public async Task StopAsync(PostgresStopMode mode, CancellationToken ct)
    {
        if (!(await GetStatusAsync(ct)).Running)
        {
            return;
        }

        var seconds = ((int)Math.Ceiling(_options.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var modeName = mode == PostgresStopMode.Immediate ? "immediate" : "fast";
        var result = await ProcessRunner.RunAsPostgresAsync(
            Program("pg_ctl"), ["stop", "-D", DataDirectory, "-m", modeName, "-w", "-t", seconds], ct);
        if (!result.Succeeded && (await GetStatusAsync(ct)).Running)
        {
            throw new InvalidOperationException(
                $"pg_ctl stop failed for {DataDirectory} (exit code {result.ExitCode}): {result.Output}\n{LogTail()}");
        }
    }

    /// <summary>pg_ctl status, plus the port the running postmaster recorded in postmaster.pid.</summary>
    public async Task<PostgresClusterStatus> GetStatusAsync(CancellationToken ct)
    {
        if (!IsInitialized)
        {
            return new PostgresClusterStatus(false, null, null, DataDirectory);
        }
        // Exit code 0: running; 3: not running; 4: no accessible data directory.
        var result = await ProcessRunner.RunAsPostgresAsync(Program("pg_ctl"), ["status", "-D", DataDirectory], ct);
        if (!result.Succeeded)
        {
            return new PostgresClusterStatus(false, null, null, DataDirectory);
        }
        var (pid, port) = ReadPostmasterPid();
        return new PostgresClusterStatus(true, pid, port, DataDirectory);
    }

    /// <summary>The last lines of the server log, for error messages.</summary>
    public string LogTail(int maxLines = 25)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            const int maxBytes = 16 * 1024;
            stream.Seek(Math.Max(0, stream.Length - maxBytes), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return $"Last lines of {LogFile}:\n" + string.Join('\n', lines.TakeLast(maxLines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(no server log at {LogFile}: {e.Message})";
        }
    }

    private string Program(string name) => PostgresBinaries.ProgramPath(BinDirectory, name);

    private async Task WriteSettingsAsync(CancellationToken ct)
    {
        var socketDirectory = DataDirectory.Length <= MaxSocketDirectoryLength ? DataDirectory : "";
        var settings = new StringBuilder()
            .AppendLine("# Written by HcpPlatform at every start: edits here are lost. Use ALTER SYSTEM for local overrides.")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {Port}")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{ConfQuote(socketDirectory)}'")
            .AppendLine(CultureInfo.InvariantCulture, $"max_connections = {_options.MaxConnections}")
            .AppendLine(CultureInfo.InvariantCulture, $"shared_buffers = {_options.SharedBuffers}")
            .AppendLine("max_wal_size = 2GB")
            .AppendLine("# wal_level=minimal: COPY into a table created or truncated in the same transaction skips WAL")
            .AppendLine("# and is synced at commit instead, so bulk loads are fast and still durable.")
            .AppendLine("wal_level = minimal")
            .AppendLine("max_wal_senders = 0");
        if (!_options.Durable)
        {
            settings
                .AppendLine("# Throwaway cluster: speed over crash safety.")
                .AppendLine("fsync = off")
                .AppendLine("synchronous_commit = off")
                .AppendLine("full_page_writes = off");
        }

        var settingsPath = Path.Combine(DataDirectory, SettingsFileName);
        await File.WriteAllTextAsync(settingsPath, settings.ToString(), ct);

        var mainConfig = Path.Combine(DataDirectory, "postgresql.conf");
        var include = $"include_if_exists = '{SettingsFileName}'";
        var existing = await File.ReadAllTextAsync(mainConfig, ct);
        if (!existing.Contains(include, StringComparison.Ordinal))
        {
            // Appended last so that our values win over initdb's; postgresql.auto.conf still wins over both.
            await File.AppendAllTextAsync(mainConfig, $"\n# HcpPlatform settings\n{include}\n", ct);
        }

        await ProcessRunner.ChownToPostgresAsync([settingsPath], recursive: false, ct);
    }

    private void RotateLogIfLarge()
    {
        var log = new FileInfo(LogFile);
        if (log.Exists && log.Length > MaxLogBytesBeforeRotation)
        {
            log.MoveTo(LogFile + ".1", overwrite: true);
        }
    }

    private async Task WaitUntilAcceptingConnectionsAsync(CancellationToken ct)
    {
        // pg_ctl -w already waited for "ready"; this confirms the TCP listener, polling until a deadline.
        var deadline = DateTime.UtcNow + _options.Timeout;
        var connectionString = new NpgsqlConnectionStringBuilder(GetConnectionString())
        {
            Pooling = false,
            Timeout = 5,
        }.ConnectionString;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            }
            catch (NpgsqlException e)
            {
                throw StartFailure($"the server does not accept connections on port {Port}: {e.Message}");
            }
        }
    }

    private InvalidOperationException StartFailure(string reason) =>
        new($"PostgreSQL failed to start (data: {DataDirectory}, port {Port}): {reason}\n{LogTail()}");

    private (int? Pid, int? Port) ReadPostmasterPid()
    {
        try
        {
            // Line 1: postmaster PID; line 4: port (see PostgreSQL's pidfile.h).
            var lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
            int? pid = lines.Length > 0 && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
            int? port = lines.Length > 3 && int.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
            return (pid, port);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    private static string ConfQuote(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
