using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

[Collection(PostgresFixture.CollectionName)]
public sealed class EmbeddedServerTests
{
    [Fact]
    public async Task Without_a_connection_string_the_cli_uses_the_embedded_server()
    {
        var dataDir = Path.Combine(PostgresFixture.CreateScratchDirectory(), "pg");
        var port = HcpPlatform.Postgres.LocalPorts.FindFree().ToString(System.Globalization.CultureInfo.InvariantCulture);
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
