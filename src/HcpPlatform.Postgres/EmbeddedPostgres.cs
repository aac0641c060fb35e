using System.Globalization;
using Npgsql;

namespace HcpPlatform.Postgres;

/// <summary>
/// The PostgreSQL every entry point (CLI, services) falls back to when no connection string is configured:
/// one cluster in a data folder shared by all of them, started on first use and left running after the
/// process exits. Concurrent starts from several processes are serialised by a lock file beside the folder.
/// </summary>
public sealed class EmbeddedPostgres
{
    /// <summary>File in the data directory remembering the port when the default one was taken.</summary>
    public const string PortFileName = "hcpplatform.port";

    private readonly EmbeddedPostgresOptions _options;

    /// <summary>Uses HCP_DATA_DIR, HCP_PG_PORT and HCP_PG_BIN (see <see cref="EmbeddedPostgresOptions.FromEnvironment"/>).</summary>
    public EmbeddedPostgres() : this(EmbeddedPostgresOptions.FromEnvironment())
    {
    }

    public EmbeddedPostgres(EmbeddedPostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        _options = options;
        DataDirectory = Path.GetFullPath(options.DataDirectory);
    }

    public string DataDirectory { get; }

    /// <summary>In the data folder's parent: the data folder itself must stay empty until initdb has run.</summary>
    public string LockFilePath =>
        Path.Combine(Path.GetDirectoryName(DataDirectory) ?? "/", Path.GetFileName(DataDirectory) + ".lock");

    /// <summary>Starts the cluster, or reuses it when it already runs; creates the database; returns its connection string.</summary>
    public async Task<string> EnsureStartedAsync(CancellationToken ct)
    {
        using var fileLock = await ExclusiveFileLock.AcquireAsync(LockFilePath, _options.LockTimeout, ct);

        var status = await CreateCluster(PreferredPort()).GetStatusAsync(ct);
        int port;
        if (status.Running)
        {
            port = status.Port ?? PreferredPort();
        }
        else
        {
            port = PreferredPort();
            if (!LocalPorts.IsFree(port))
            {
                // Something else (another PostgreSQL, another program) has it: take a free one and keep it.
                port = LocalPorts.FindFree();
            }
            await CreateCluster(port).StartAsync(ct);
            await RememberPortAsync(port, ct);
        }

        var connectionString = BuildConnectionString(port);
        await PostgresDatabases.CreateIfMissingAsync(connectionString, ct);
        return connectionString;
    }

    /// <summary>Stops the shared cluster (fast shutdown) if it runs.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        using var fileLock = await ExclusiveFileLock.AcquireAsync(LockFilePath, _options.LockTimeout, ct);
        await CreateCluster(PreferredPort()).StopAsync(PostgresStopMode.Fast, ct);
    }

    public async Task<EmbeddedPostgresStatus> StatusAsync(CancellationToken ct)
    {
        var status = await CreateCluster(PreferredPort()).GetStatusAsync(ct);
        var port = status.Running && status.Port is { } running ? running : PreferredPort();
        return new EmbeddedPostgresStatus(status.Running, port, DataDirectory, BuildConnectionString(port), status.ProcessId);
    }

    /// <summary>Loopback, trust authentication, and pool limits that leave room for several services on one server.</summary>
    public string BuildConnectionString(int port) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = ProcessRunner.PostgresUser,
            Database = _options.Database,
            Pooling = true,
            MaxPoolSize = 30,
            ConnectionIdleLifetime = 60,
        }.ConnectionString;

    private PostgresCluster CreateCluster(int port) =>
        new(new PostgresClusterOptions
        {
            DataDirectory = DataDirectory,
            Port = port,
            BinDirectory = _options.BinDirectory,
            Durable = _options.Durable,
        });

    /// <summary>An explicit port (HCP_PG_PORT) first, then the remembered one, then the default.</summary>
    private int PreferredPort() => _options.Port ?? RememberedPort() ?? EmbeddedPostgresOptions.DefaultPort;

    private int? RememberedPort()
    {
        var path = Path.Combine(DataDirectory, PortFileName);
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                && port is > 0 and <= 65535 ? port : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task RememberPortAsync(int port, CancellationToken ct)
    {
        var path = Path.Combine(DataDirectory, PortFileName);
        await File.WriteAllTextAsync(path, port.ToString(CultureInfo.InvariantCulture) + "\n", ct);
        await ProcessRunner.ChownToPostgresAsync([path], recursive: false, ct);
    }
}
