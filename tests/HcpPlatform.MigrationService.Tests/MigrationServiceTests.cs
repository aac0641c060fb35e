using System.Diagnostics;
using System.Globalization;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Data.Postgres;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.MigrationService.Tests;

/// <summary>The migration worker run as a process, the way Aspire (or a person) runs it: its exit code is the verdict.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class MigrationServiceTests(PostgresFixture postgres)
{
    private sealed record Run(int ExitCode, string Output);

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

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The worker built next to this test project (same configuration), run with <c>dotnet</c>.</summary>
    private static async Task<Run> RunAsync(string connectionString, params (string Name, string Value)[] environment)
    {
        var here = AppContext.BaseDirectory; // tests/HcpPlatform.MigrationService.Tests/bin/<cfg>/net10.0/
        var configuration = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        var dll = Path.Combine(root, "src", "HcpPlatform.MigrationService", "bin", configuration, "net10.0", "HcpPlatform.MigrationService.dll");

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.Environment["ConnectionStrings__hcpdb"] = connectionString;
        info.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout + await stderr);
    }
}
