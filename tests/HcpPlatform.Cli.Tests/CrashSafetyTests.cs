using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

[Collection(PostgresFixture.CollectionName)]
public sealed class CrashSafetyTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Killing_the_process_during_copy_leaves_the_previous_dataset_intact()
    {
        var db = await postgres.CreateDatabaseAsync();
        Assert.Equal(0, (await CliProcess.RunAsync(db, "generate", "--hcps=200", "--months=2", "--as-of=2026-02-28")).ExitCode);
        var before = await DatasetProbe.FingerprintAsync(db);

        using var process = CliProcess.Start(db, ["generate", "--hcps=60000", "--months=12", "--as-of=2026-02-28", "--wipe", "--yes"]);
        // Wait until rows are streaming into the build schema, then kill without warning.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await DatasetProbe.ScalarAsync(db, "SELECT coalesce(sum(tuples_processed), 0) FROM pg_stat_progress_copy") < 1000)
        {
            Assert.False(process.HasExited, "the generator finished or failed before the test could interrupt its COPY");
            Assert.True(DateTime.UtcNow < deadline, "no COPY started in time");
            await Task.Delay(50);
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
        Assert.Equal(1, await DatasetProbe.ScalarAsync(db, "SELECT count(*) FROM platform.generation_runs WHERE status = 'succeeded'"));

        // The next run clears what the killed one left behind and succeeds.
        var next = await CliProcess.RunAsync(db, "generate", "--hcps=100", "--months=1", "--as-of=2026-02-28", "--wipe", "--yes");
        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Equal(0, await DatasetProbe.ScalarAsync(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'hcp\\_build\\_%'"));
        Assert.Equal(100, await DatasetProbe.ScalarAsync(db, "SELECT count(*) FROM hcp.hcp_profiles"));
    }

    [Fact]
    public async Task Without_a_connection_string_the_cli_uses_the_embedded_server()
    {
        var dataDir = Path.Combine(PostgresFixture.CreateScratchDirectory(), "pg");
        var port = HcpPlatform.Data.Postgres.LocalPorts.FindFree().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string?> { ["HCP_DATA_DIR"] = dataDir, ["HCP_PG_PORT"] = port };
        try
        {
            var run = await CliProcess.RunAsync(null, env, "generate", "--hcps=50", "--months=1", "--as-of=2026-01-31");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Contains($"Using embedded PostgreSQL at Host=127.0.0.1;Port={port}", run.Stderr, StringComparison.Ordinal);
            var status = await CliProcess.RunAsync(null, env, "db", "status");
            Assert.Equal(0, status.ExitCode);
            Assert.Contains("running", status.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await CliProcess.RunAsync(null, env, "db", "stop");
        }
        var stopped = await CliProcess.RunAsync(null, env, "db", "status");
        Assert.Equal(1, stopped.ExitCode);
        Assert.Contains("stopped", stopped.Stdout, StringComparison.Ordinal);
    }
}
