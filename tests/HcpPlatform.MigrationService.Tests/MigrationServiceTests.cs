using System.Globalization;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Postgres;
using HcpPlatform.Testing;

namespace HcpPlatform.MigrationService.Tests;

/// <summary>The migration worker run as a process, the way Aspire (or a person) runs it: its exit code is the verdict.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class MigrationServiceTests(PostgresFixture postgres)
{
    [Fact]
    public async Task MigratesAnEmptyDatabaseExitsZeroAndIsIdempotent()
    {
        var connectionString = await postgres.CreateDatabaseAsync();

        var first = await RunAsync(connectionString);
        Assert.True(first.ExitCode == 0, first.Output);
        var scripts = MigrationScript.LoadEmbedded();
        Assert.Contains($"{scripts.Count} migration(s) applied now, 0 already applied", first.Output, StringComparison.Ordinal);
        Assert.Equal(scripts.Count, await CountAsync(connectionString, "SELECT count(*) FROM platform.schema_migrations"));
        Assert.Equal(1, await CountAsync(connectionString, "SELECT count(*) FROM platform.simulation_state"));

        var second = await RunAsync(connectionString);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains($"0 migration(s) applied now, {scripts.Count} already applied", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatesTheDatabaseWhenTheServerHasNone()
    {
        var name = "missing_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = postgres.Cluster.GetConnectionString(name);

        var run = await RunAsync(connectionString);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"Created database {name}", run.Output, StringComparison.Ordinal);
        Assert.Equal(MigrationScript.LoadEmbedded().Count, await CountAsync(connectionString, "SELECT count(*) FROM platform.schema_migrations"));
    }

    [Fact]
    public async Task ExitsNonZeroWithAClearLogWhenTheDatabaseIsUnreachable()
    {
        var port = LocalPorts.FindFree();
        var run = await RunAsync(
            string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=hcp;Password=secret;Database=hcpdb;Timeout=3"),
            ("Migrations__RetryAttempts", "1"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Cannot migrate PostgreSQL database hcpdb at 127.0.0.1:{port}: Failed to connect"),
            run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", run.Output, StringComparison.Ordinal);
    }

    private static Task<long> CountAsync(string connectionString, string sql) => Sql.ScalarAsync<long>(connectionString, sql);

    /// <summary>The worker built next to this test project (same configuration), run with <c>dotnet</c> in its output directory.</summary>
    private static async Task<ProcessRun> RunAsync(string connectionString, params (string Name, string Value)[] environment)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__hcpdb"] = connectionString,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Logging__Console__FormatterName"] = "simple",
        };
        foreach (var (name, value) in environment)
        {
            all[name] = value;
        }
        await using var process = TestProcess.StartDotnet("HcpPlatform.MigrationService", [], all, inItsDirectory: true);
        return await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
    }
}
