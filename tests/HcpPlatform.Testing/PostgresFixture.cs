using System.Diagnostics;
using System.Globalization;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Postgres;
using Npgsql;
using Xunit;

namespace HcpPlatform.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: started once per fixture in a fresh directory under /tmp on a
/// free port, with fsync off; every test asks it for its own fresh database; stopped and deleted on dispose.
/// <para>
/// xunit 2 only discovers collection definitions in the test assembly itself, so each test assembly that
/// wants one cluster shared by several test classes declares (once):
/// <code>
/// [CollectionDefinition(PostgresFixture.CollectionName)]
/// public sealed class PostgresGroup : ICollectionFixture&lt;PostgresFixture&gt;;
///
/// [Collection(PostgresFixture.CollectionName)]
/// public sealed class MyTests(PostgresFixture postgres) { ... await postgres.CreateMigratedDatabaseAsync() ... }
/// </code>
/// Test classes of one collection run one after another; each test still gets its own database.
/// </para>
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string CollectionName = "postgres";

    /// <summary>Prefix of the directories under /tmp; leftovers of crashed test runs are removed at the next start.</summary>
    public const string DirectoryPrefix = "hcp-pgtest-";

    /// <summary>Name of the cluster's data directory inside a scratch directory.</summary>
    public const string DataDirectoryName = "data";

    private const string OwnerFileName = "owner.pid";

    private static readonly TimeSpan StartBudget = TimeSpan.FromMinutes(2);

    /// <summary>/tmp rather than TMPDIR: the postgres OS user must be able to reach the directory.</summary>
    private static string TempRoot => Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();

    private PostgresCluster? _cluster;
    private int _databaseCounter;

    /// <summary>Directory holding the cluster's data directory and the owner file.</summary>
    public string RootDirectory { get; private set; } = "";

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The PostgreSQL fixture has not been initialised.");

    public int Port => Cluster.Port;

    /// <summary>Connection string of the <c>postgres</c> maintenance database.</summary>
    public string AdminConnectionString => Cluster.GetConnectionString();

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartBudget);
        var ct = timeout.Token;
        await RemoveAbandonedClustersAsync(TempRoot, ct);

        RootDirectory = CreateScratchDirectory();
        await ProcessRunner.ChownToPostgresAsync([RootDirectory], recursive: true, ct);

        _cluster = new PostgresCluster(new PostgresClusterOptions
        {
            DataDirectory = Path.Combine(RootDirectory, DataDirectoryName),
            Port = LocalPorts.FindFree(),
            Durable = false,
            SharedBuffers = "128MB",
        });
        await _cluster.StartAsync(ct);
    }

    /// <summary>
    /// A new directory under /tmp (mode 755, so the postgres OS user can enter it) marked with this process's id.
    /// A cluster in its <c>data</c> subdirectory is stopped and the directory deleted by the next fixture start
    /// if this process dies without cleaning up.
    /// </summary>
    public static string CreateScratchDirectory()
    {
        var directory = Path.Combine(TempRoot, DirectoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            // Explicit, whatever the umask: the postgres OS user must be able to enter it.
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        File.WriteAllText(Path.Combine(directory, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return directory;
    }

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken ct = default)
    {
        name ??= string.Create(CultureInfo.InvariantCulture,
            $"test_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid().ToString("N")[..8]}");
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand("CREATE DATABASE " + PostgresDatabases.QuoteIdentifier(name), connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        return Cluster.GetConnectionString(name);
    }

    /// <summary>Creates a fresh database with every embedded migration applied.</summary>
    public async Task<string> CreateMigratedDatabaseAsync(CancellationToken ct = default)
    {
        var connectionString = await CreateDatabaseAsync(ct: ct);
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), ct);
        return connectionString;
    }

    private readonly Dictionary<string, Task<string>> _templates = new(StringComparer.Ordinal);
    private readonly Lock _templateGate = new();

    /// <summary>
    /// A fresh copy (CREATE DATABASE … TEMPLATE) of the database named <paramref name="template"/>, which is built once per
    /// fixture by <paramref name="build"/> on a fresh migrated database (e.g. a backfill): tests that change data each get
    /// their own database, and none pays for building it again.
    /// </summary>
    public async Task<string> CloneAsync(string template, Func<string, Task> build, CancellationToken ct = default)
    {
        Task<string> ready;
        lock (_templateGate)
        {
            if (!_templates.TryGetValue(template, out ready!))
            {
                ready = BuildTemplateAsync(build);
                _templates[template] = ready;
            }
        }
        var source = await ready;
        var name = string.Create(CultureInfo.InvariantCulture, $"clone_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid().ToString("N")[..6]}");
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(ct);
        await using var create = new NpgsqlCommand(
            $"CREATE DATABASE {PostgresDatabases.QuoteIdentifier(name)} TEMPLATE {PostgresDatabases.QuoteIdentifier(source)}", connection);
        await create.ExecuteNonQueryAsync(ct);
        return Cluster.GetConnectionString(name);
    }

    private async Task<string> BuildTemplateAsync(Func<string, Task> build)
    {
        var connectionString = await CreateMigratedDatabaseAsync();
        await build(connectionString);
        // A template must have no open sessions: close this database's pooled connections.
        DataSources.Release(connectionString);
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_cluster is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await _cluster.StopAsync(PostgresStopMode.Immediate, timeout.Token);
        }
        DeleteQuietly(RootDirectory);
    }

    /// <summary>Stops and deletes clusters whose test process died without disposing them.</summary>
    private static async Task RemoveAbandonedClustersAsync(string tempRoot, CancellationToken ct)
    {
        foreach (var directory in Directory.EnumerateDirectories(tempRoot, DirectoryPrefix + "*"))
        {
            if (!int.TryParse(ReadQuietly(Path.Combine(directory, OwnerFileName)), NumberStyles.None,
                    CultureInfo.InvariantCulture, out var owner) || IsAlive(owner))
            {
                continue;
            }
            try
            {
                var abandoned = new PostgresCluster(new PostgresClusterOptions { DataDirectory = Path.Combine(directory, DataDirectoryName) });
                await abandoned.StopAsync(PostgresStopMode.Immediate, ct);
            }
            catch (InvalidOperationException)
            {
                // Best effort: a half-initialised leftover may not even be a cluster.
            }
            DeleteQuietly(directory);
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string ReadQuietly(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (directory.Length > 0 && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers under /tmp are removed by the next run's RemoveAbandonedClustersAsync.
        }
    }
}
