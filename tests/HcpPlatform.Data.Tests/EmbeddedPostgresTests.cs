using System.Net;
using System.Net.Sockets;
using HcpPlatform.Postgres;
using HcpPlatform.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace HcpPlatform.Data.Tests;

/// <summary>
/// A data folder of its own under /tmp for one test of the embedded server; the cluster in it is stopped and
/// the folder deleted afterwards (or by the next run's fixture if this process dies).
/// </summary>
public abstract class EmbeddedPostgresTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);

    protected string Root { get; private set; } = "";

    protected string DataDirectory => Path.Combine(Root, PostgresFixture.DataDirectoryName);

    public Task InitializeAsync()
    {
        Root = PostgresFixture.CreateScratchDirectory();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            var cluster = new PostgresCluster(new PostgresClusterOptions { DataDirectory = DataDirectory });
            await cluster.StopAsync(PostgresStopMode.Immediate, default);
        }
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Entry points configured by environment variables: these tests run alone (see <see cref="EnvironmentGroup"/>).</summary>
[Collection(EnvironmentGroup.Name)]
public sealed class EmbeddedPostgresEnvironmentTests : EmbeddedPostgresTestBase
{

    [Fact]
    public async Task Resolver_starts_the_embedded_server_once_and_later_calls_reuse_it()
    {
        var port = LocalPorts.FindFree();
        using var environment = new EnvironmentScope(new()
        {
            [EmbeddedPostgresOptions.DataDirectoryVariable] = DataDirectory,
            [EmbeddedPostgresOptions.PortVariable] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [ConnectionStringResolver.EnvironmentVariable] = null,
        });
        using var timeout = new CancellationTokenSource(Deadline);
        var messages = new List<string>();

        var connectionString = await ConnectionStringResolver.ConfiguredOrEmbeddedAsync(null, messages.Add, timeout.Token);

        Assert.Equal($"Host=127.0.0.1;Port={port};Username=postgres;Database=hcpdb", ConnectionPrefix(connectionString));
        var message = Assert.Single(messages);
        Assert.Equal($"Using embedded PostgreSQL at {connectionString} (data: {DataDirectory})", message);
        var embedded = new EmbeddedPostgres();
        var first = await embedded.StatusAsync(timeout.Token);
        Assert.True(first.Running);
        Assert.Equal(port, first.Port);
        Assert.Equal(DataDirectory, first.DataDirectory);
        Assert.NotNull(first.ProcessId);
        Assert.Equal("hcpdb", await Sql.ScalarAsync<string>(connectionString, "SELECT current_database()"));

        // A second entry point finds the running server: same URL, same postmaster. A service run on its own gets it
        // in its configuration (the one line in its Program.cs).
        var again = await new EmbeddedPostgres().EnsureStartedAsync(timeout.Token);
        var service = new ConfigurationManager();
        await service.AddEmbeddedPostgresUnlessConfiguredAsync(timeout.Token);
        var second = await embedded.StatusAsync(timeout.Token);
        Assert.Equal(connectionString, again);
        Assert.Equal(connectionString, service.GetConnectionString("hcpdb"));
        Assert.Equal(first.ProcessId, second.ProcessId);

        await embedded.StopAsync(timeout.Token);
        var stopped = await embedded.StatusAsync(timeout.Token);
        Assert.False(stopped.Running);
        Assert.Null(stopped.ProcessId);
        Assert.Equal(port, stopped.Port);
    }

    [Fact]
    public async Task A_configured_connection_string_is_used_and_starts_nothing()
    {
        var configured = "Host=db.example;Database=hcpdb;Username=app";
        using var environment = new EnvironmentScope(new() { [EmbeddedPostgresOptions.DataDirectoryVariable] = DataDirectory });
        var messages = new List<string>();

        var resolved = await ConnectionStringResolver.ConfiguredOrEmbeddedAsync(configured, messages.Add, default);

        Assert.Equal(configured, resolved);
        Assert.Empty(messages);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Missing_binaries_give_a_clear_message()
    {
        var emptyBin = Path.Combine(Root, "empty-bin");
        Directory.CreateDirectory(emptyBin);
        using var environment = new EnvironmentScope(new()
        {
            [PostgresBinaries.BinDirectoryVariable] = emptyBin,
            [EmbeddedPostgresOptions.DataDirectoryVariable] = DataDirectory,
        });

        var error = await Assert.ThrowsAsync<PostgresNotFoundException>(
            () => new EmbeddedPostgres().EnsureStartedAsync(default));

        Assert.StartsWith($"PostgreSQL server binaries not found (looked in {emptyBin}", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "Install them (apt-get install postgresql) or set ConnectionStrings__hcpdb to an existing server.",
            error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataDirectory));
    }

    private static string ConnectionPrefix(string connectionString) =>
        string.Join(';', connectionString.Split(';').Take(4));

    /// <summary>Sets environment variables for one test and restores the previous values.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = [];

        public EnvironmentScope(Dictionary<string, string?> values)
        {
            foreach (var (name, value) in values)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}

/// <summary>Embedded servers configured by options: they run in parallel with the other collections.</summary>
public sealed class EmbeddedPostgresTests : EmbeddedPostgresTestBase
{
    [Fact]
    public async Task Concurrent_starts_share_one_server()
    {
        var options = new EmbeddedPostgresOptions { DataDirectory = DataDirectory, Port = LocalPorts.FindFree(), Durable = false };
        using var timeout = new CancellationTokenSource(Deadline);

        var connectionStrings = await Task.WhenAll(Enumerable.Range(0, 3).Select(
            _ => Task.Run(() => new EmbeddedPostgres(options).EnsureStartedAsync(timeout.Token))));

        Assert.Single(connectionStrings.Distinct());
        var status = await new EmbeddedPostgres(options).StatusAsync(timeout.Token);
        Assert.True(status.Running);
        Assert.Equal(options.Port, status.Port);
    }

    [Fact]
    public async Task A_taken_port_is_replaced_by_a_free_one_that_is_remembered()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        using var timeout = new CancellationTokenSource(Deadline);

        var embedded = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = DataDirectory, Port = taken, Durable = false });
        await embedded.EnsureStartedAsync(timeout.Token);
        var chosen = (await embedded.StatusAsync(timeout.Token)).Port;
        await embedded.StopAsync(timeout.Token);

        Assert.NotEqual(taken, chosen);
        Assert.Equal(chosen.ToString(System.Globalization.CultureInfo.InvariantCulture),
            File.ReadAllText(Path.Combine(DataDirectory, EmbeddedPostgres.PortFileName)).Trim());

        // Without an explicit port the next start uses the remembered one, so the URL stays stable.
        var restarted = new EmbeddedPostgres(new EmbeddedPostgresOptions { DataDirectory = DataDirectory, Durable = false });
        var connectionString = await restarted.EnsureStartedAsync(timeout.Token);
        Assert.Equal(chosen, new NpgsqlConnectionStringBuilder(connectionString).Port);
        Assert.Equal(chosen, (await restarted.StatusAsync(timeout.Token)).Port);
    }

    [Fact]
    public async Task Under_Aspire_the_services_configured_connection_string_stays_and_nothing_starts()
    {
        var configured = "Host=db.example;Database=hcpdb;Username=app";
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:hcpdb"] = configured });

        await configuration.AddEmbeddedPostgresUnlessConfiguredAsync();

        Assert.Equal(configured, configuration.GetConnectionString("hcpdb"));
    }
}
