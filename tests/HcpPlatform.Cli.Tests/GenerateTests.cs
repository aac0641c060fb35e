using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

[Collection(PostgresFixture.CollectionName)]
public sealed class GenerateTests(PostgresFixture postgres)
{
    private static readonly string[] Small = ["generate", "--seed=7", "--hcps=300", "--months=3", "--as-of=2026-03-31", "--json"];

    [Fact]
    public async Task Development_scale_meets_the_seeds_000_checklist_and_every_command_works_on_it()
    {
        var db = await postgres.CreateDatabaseAsync();
        var run = await CliProcess.RunAsync(db, "generate", "--seed=42", "--hcps=2000", "--months=12", "--as-of=2026-06-30", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        using var json = JsonDocument.Parse(run.Stdout);
        var counts = json.RootElement.GetProperty("counts");
        long Count(string table) => counts.GetProperty(table).GetInt64();
        Assert.Equal(2000, Count("hcp_profiles"));
        Assert.Equal(24_000, Count("prescribing_history"));
        Assert.True(json.RootElement.GetProperty("validation").GetProperty("passed").GetBoolean());
        Assert.Equal(11, json.RootElement.GetProperty("checksums").EnumerateObject().Count());
        Assert.Equal(2000, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.hcp_profiles"));

        // Every volume, fidelity, integrity and structure check passes (the volumes against seeds/001's ratios, with
        // thresholds from the sample size); the timed query checks are bench/'s business, not this test's.
        await AssertValidAsync(db);

        // Spot check: does Dr. Smith's history look realistic?
        var npi = await Sql.ScalarAsync<string>(db, "SELECT npi FROM hcp.hcp_profiles WHERE tier = 'Tier 1' ORDER BY hcp_index LIMIT 1");
        var show = await CliProcess.RunAsync(db, "show", $"--npi={npi}");
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains($"NPI {npi}", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("touch", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("prescribing", show.Stdout, StringComparison.Ordinal);

        var exportDir = Path.Combine(Path.GetTempPath(), "hcp-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            var export = await CliProcess.RunAsync(db, "export", "--format=csv", $"--out={exportDir}", "--json");
            Assert.True(export.ExitCode == 0, export.Stderr);
            Assert.True(File.Exists(Path.Combine(exportDir, "manifest.json")));
            Assert.Equal(24_001, File.ReadLines(Path.Combine(exportDir, "prescribing_history.csv")).Count());
            Assert.Contains("response_probability", await File.ReadAllTextAsync(Path.Combine(exportDir, "ground_truth.json")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(exportDir, recursive: true);
        }

        // Without --wipe an existing dataset that meets the target is reported and left alone.
        var before = await DatasetProbe.FingerprintAsync(db);
        var again = await CliProcess.RunAsync(db, "generate", "--seed=42", "--hcps=2000", "--months=12");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Data already exists", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("use --wipe", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));

        var increment = await CliProcess.RunAsync(db, "increment", "--days=2", "--json");
        Assert.True(increment.ExitCode == 0, increment.Stderr);
        Assert.Equal(2, await Sql.ScalarAsync<long>(db, "SELECT simulated_through - date '2026-06-30' FROM hcp.dataset_info"));
        Assert.Equal(2, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'increment' AND status = 'succeeded'"));
        await AssertValidAsync(db);
    }

    /// <summary>'hcp validate --json': every check but the timed ones passes, and the exit code says whether all did.</summary>
    internal static async Task AssertValidAsync(string db)
    {
        var validate = await CliProcess.RunAsync(db, "validate", "--json");
        using var report = JsonDocument.Parse(validate.Stdout);
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("category").GetString() == "volumes");
        var failed = checks.Where(c => !c.GetProperty("passed").GetBoolean()).ToList();
        Assert.True(failed.All(c => c.GetProperty("category").GetString() == "performance"), string.Join("; ", failed));
        Assert.Equal(failed.Count == 0 ? 0 : 1, validate.ExitCode);
    }

    [Fact]
    public async Task Same_flags_and_as_of_give_identical_checksums()
    {
        var first = await CliProcess.RunAsync(await postgres.CreateDatabaseAsync(), Small);
        var second = await CliProcess.RunAsync(await postgres.CreateDatabaseAsync(), Small);
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Stderr + second.Stderr);
        var a = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("checksums").ToString();
        var b = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("checksums").ToString();
        Assert.Equal(a, b);
        var other = await CliProcess.RunAsync(await postgres.CreateDatabaseAsync(), [.. Small.Select(x => x == "--seed=7" ? "--seed=8" : x)]);
        Assert.NotEqual(a, JsonDocument.Parse(other.Stdout).RootElement.GetProperty("checksums").ToString());
    }

    [Fact]
    public async Task Every_run_is_recorded_in_lineage()
    {
        var db = await postgres.CreateDatabaseAsync();
        var first = await CliProcess.RunAsync(db, Small);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var second = await CliProcess.RunAsync(db, [.. Small, "--wipe", "--yes"]);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(2, await Sql.ScalarAsync<long>(db,
            "SELECT count(*) FROM platform.generation_runs WHERE kind = 'backfill' AND status = 'succeeded' AND verdict = 'passed' AND counts ? 'stimuli_events' AND checksums ? 'stimuli_events' AND (parameters->>'seed')::int = 7"));
    }
}
