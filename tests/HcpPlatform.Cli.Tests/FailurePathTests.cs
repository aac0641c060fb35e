using System.Text.Json;
using HcpPlatform.Data.Loading;
using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

/// <summary>
/// What happens when things go wrong, through the real program: a backfill interrupted (Ctrl-C) or killed (kill -9) at
/// each of its stages leaves the previous dataset untouched, and the next run clears what a killed one left behind; a
/// backfill racing an increment; 'hcp validate' on a failing dataset; unexpected failures. A run is stopped at a stage
/// deterministically: HCP_TEST_PAUSE_AT_STAGE makes the loader announce the stage and wait there (Backfill.PausePoint).
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class FailurePathTests(PostgresFixture postgres)
{
    private static readonly TimeSpan StageDeadline = TimeSpan.FromMinutes(2);

    /// <summary>A copy of a small dataset (200 HCPs × 2 months through 2026-02-28), backfilled once per run.</summary>
    private Task<string> DatasetAsync() => postgres.CloneAsync("cli-failure-paths", db => Backfill.RunAsync(DataSources.For(db), new GenerationParameters
    {
        Seed = 3, Hcps = 200, Months = 2, Scenario = "custom", AsOf = new DateOnly(2026, 2, 28), Parallelism = 2,
    }, null, CancellationToken.None));

    private static readonly string[] Regenerate = ["generate", "--seed=4", "--hcps=200", "--months=2", "--as-of=2026-03-31", "--wipe", "--yes"];

    private static TestProcess StartPaused(string db, string stage) =>
        CliProcess.Start(db, Regenerate, new Dictionary<string, string?> { ["HCP_TEST_PAUSE_AT_STAGE"] = stage });

    public static TheoryData<string> Stages => [.. Backfill.Stages];

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task Ctrl_c_at_a_stage_cancels_cleanly_and_leaves_the_previous_dataset(string stage)
    {
        var db = await DatasetAsync();
        var before = await DatasetProbe.FingerprintAsync(db);

        await using var run = StartPaused(db, stage);
        await run.WaitForLineAsync(l => l.StartsWith($"paused at stage {stage}", StringComparison.Ordinal), $"announcing the pause at {stage}", StageDeadline);
        await run.InterruptAsync();
        var result = await run.WaitForExitAsync(StageDeadline);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.Contains("Cancelled; the previous dataset is unchanged.", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
        Assert.Equal(0, await DatasetProbe.BuildSchemasAsync(db));
        Assert.Equal("cancelled", await Sql.ScalarAsync<string>(db,
            "SELECT status FROM platform.generation_runs WHERE kind = 'backfill' ORDER BY started_at DESC LIMIT 1"));
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task Kill_9_at_a_stage_leaves_the_previous_dataset_and_the_next_writer_cleans_up(string stage)
    {
        var db = await DatasetAsync();
        var before = await DatasetProbe.FingerprintAsync(db);

        await using (var run = StartPaused(db, stage))
        {
            await run.WaitForLineAsync(l => l.StartsWith($"paused at stage {stage}", StringComparison.Ordinal), $"announcing the pause at {stage}", StageDeadline);
            await run.KillAsync();
        }
        // The killed backend's open work (the swap's transaction included) is rolled back by PostgreSQL; readers see the old dataset.
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
        const string LastBackfill = "SELECT status || ' ' || coalesce(error, '') FROM platform.generation_runs WHERE kind = 'backfill' ORDER BY started_at DESC LIMIT 1";
        Assert.StartsWith("running", await Sql.ScalarAsync<string>(db, LastBackfill), StringComparison.Ordinal);

        // The next writer of any kind (here an increment) marks the ownerless run abandoned, with the reason, and drops its build schema.
        var increment = await CliProcess.RunAsync(db, "increment");
        Assert.True(increment.ExitCode == 0, increment.Stderr);
        Assert.Equal(0, await DatasetProbe.BuildSchemasAsync(db));
        var abandoned = await Sql.ScalarAsync<string>(db, LastBackfill);
        Assert.StartsWith("abandoned ", abandoned, StringComparison.Ordinal);
        Assert.Contains("killed", abandoned, StringComparison.Ordinal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.generation_runs WHERE status = 'running'"));

        var next = await CliProcess.RunAsync(db, "generate", "--seed=5", "--hcps=100", "--months=1", "--as-of=2026-03-31", "--wipe", "--yes");
        Assert.True(next.ExitCode == 0, next.Stderr);
        Assert.Equal(0, await DatasetProbe.BuildSchemasAsync(db));
        Assert.Equal(100, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.hcp_profiles"));
    }

    [Fact]
    public async Task An_increment_during_a_backfill_is_refused_and_runs_once_the_backfill_is_gone()
    {
        var db = await DatasetAsync();
        var before = await DatasetProbe.FingerprintAsync(db);
        await using var backfill = StartPaused(db, "generate_and_copy");
        await backfill.WaitForLineAsync(l => l.StartsWith("paused at stage generate_and_copy", StringComparison.Ordinal), "the backfill holding the writer lock", StageDeadline);

        var refused = await CliProcess.RunAsync(db, "increment");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Another writer", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));

        await backfill.InterruptAsync();
        Assert.Equal(1, (await backfill.WaitForExitAsync(StageDeadline)).ExitCode);
        var increment = await CliProcess.RunAsync(db, "increment");
        Assert.True(increment.ExitCode == 0, increment.Stderr);
        Assert.Equal(new DateOnly(2026, 3, 1), await Sql.ScalarAsync<DateOnly>(db, "SELECT simulated_through FROM hcp.dataset_info"));
    }

    [Fact]
    public async Task Validate_exits_1_on_a_failing_dataset_and_names_the_check()
    {
        var db = await DatasetAsync();
        await Sql.ExecuteAsync(db, "UPDATE hcp.hcp_profiles SET npi = left(npi, 9) || ((right(npi, 1)::int + 1) % 10)::text WHERE hcp_index = 3");

        var run = await CliProcess.RunAsync(db, "validate", "--json");
        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        var failed = json.RootElement.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("passed").GetBoolean())
            .Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("npi_check_digit", failed);

        var text = await CliProcess.RunAsync(db, "validate");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("checks FAILED", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_error_in_any_command_is_exit_1_with_one_line_and_no_stack_trace()
    {
        var db = await DatasetAsync();
        // HCPs removed behind the loader's back (foreign keys bypassed): the next day's events of those HCPs cannot be inserted.
        // Half of them, since the next day (2026-03-01) is a Sunday: business channels are quiet and a single HCP may have no
        // event at all on it.
        await Sql.ExecuteAsync(db, "SET session_replication_role = replica; DELETE FROM hcp.hcp_profiles WHERE hcp_index % 2 = 1;");

        var run = await CliProcess.RunAsync(db, "increment");
        AssertOneLineFailure(run, "error: PostgresException: 23503");
        Assert.Equal(new DateOnly(2026, 2, 28), await Sql.ScalarAsync<DateOnly>(db, "SELECT simulated_through FROM hcp.dataset_info"));
    }

    [Fact]
    public async Task An_io_error_is_exit_1_with_one_line_and_no_stack_trace()
    {
        var db = await DatasetAsync();
        var run = await CliProcess.RunAsync(db, "export", "--format=csv", "--out=/dev/null/export");
        AssertOneLineFailure(run, "error: DirectoryNotFoundException: ");
    }

    [Theory]
    [InlineData("under-a-file")]
    [InlineData("/proc/hcp-export")]
    [InlineData("/sys/hcp-export")]
    public async Task Export_to_an_unusable_folder_is_one_line_and_exit_1_or_2(string where)
    {
        var db = await DatasetAsync();
        var file = Path.Combine(Path.GetTempPath(), $"hcp-file-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "x");
        try
        {
            var target = where == "under-a-file" ? Path.Combine(file, "export") : where;
            foreach (var format in new[] { "csv", "parquet" })
            {
                AssertOneLineFailureOrUsage(await CliProcess.RunAsync(db, "export", $"--format={format}", $"--out={target}"));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Increments_stop_at_the_end_of_the_supported_range()
    {
        var db = await DatasetAsync();
        await Sql.ExecuteAsync(db, "UPDATE hcp.dataset_info SET simulated_through = '2099-12-31'");
        var before = await DatasetProbe.FingerprintAsync(db);
        var run = await CliProcess.RunAsync(db, "increment");
        AssertOneLineFailure(run, "error: The dataset is simulated through 2099-12-31, the end of the supported range 2001-01-01 to 2099-12-31");
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
    }

    [Fact]
    public async Task Privacy_access_records_completed_only_once_the_export_is_written()
    {
        var db = await DatasetAsync();
        var npi = await Sql.ScalarAsync<string>(db, "SELECT npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1");
        const string Requests = "SELECT status FROM platform.privacy_requests WHERE request_type = 'access' ORDER BY requested_at";

        // A folder is bad usage: nothing attempted, nothing recorded.
        var folder = await CliProcess.RunAsync(db, "privacy", "access", $"--npi={npi}", $"--out={Path.GetTempPath()}");
        Assert.True(folder.ExitCode == 2, $"exit {folder.ExitCode}: {folder.Stderr}");
        Assert.Contains("is a folder", folder.Stderr, StringComparison.Ordinal);
        Assert.Empty(await Sql.ListAsync(db, Requests, r => r.GetString(0)));

        // A write that fails: exit 1, one line, and the audit row says failed, not completed.
        foreach (var target in new[] { "/proc/hcp-access.json", "/nonexistent-folder/hcp-access.json" })
        {
            var run = await CliProcess.RunAsync(db, "privacy", "access", $"--npi={npi}", $"--out={target}");
            AssertOneLineFailure(run, "error: --out");
            Assert.Contains("recorded as failed", run.Stderr, StringComparison.Ordinal);
        }
        Assert.Equal(["failed", "failed"], await Sql.ListAsync(db, Requests, r => r.GetString(0)));

        var good = Path.Combine(Path.GetTempPath(), $"hcp-access-{Guid.NewGuid():N}.json");
        try
        {
            var ok = await CliProcess.RunAsync(db, "privacy", "access", $"--npi={npi}", $"--out={good}");
            Assert.True(ok.ExitCode == 0, ok.Stderr);
            Assert.Contains(npi, await File.ReadAllTextAsync(good), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(good);
        }
        Assert.Equal(["failed", "failed", "completed"], await Sql.ListAsync(db, Requests, r => r.GetString(0)));
    }

    private static void AssertOneLineFailureOrUsage(ProcessRun run)
    {
        Assert.True(run.ExitCode is 1 or 2, $"exit {run.ExitCode}: {run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Single(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    private static void AssertOneLineFailure(ProcessRun run, string start)
    {
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = Assert.Single(lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith(start, error, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
