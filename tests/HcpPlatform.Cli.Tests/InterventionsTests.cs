using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

/// <summary>'hcp interventions' end to end: the real program against a dataset (300 HCPs × 2 months through 2026-03-31).</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class InterventionsTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hcp-interventions-").FullName;

    private const string CardiologyTest = InterventionDefinitions.CardiologyTest;

    private Task<string> DatasetAsync() => postgres.CloneAsync("cli-interventions", async db =>
    {
        var run = await CliProcess.RunAsync(db, "generate", "--seed=3", "--hcps=300", "--months=2", "--as-of=2026-03-31");
        Assert.True(run.ExitCode == 0, run.Stderr);
    });

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Add_list_show_plan_and_stop()
    {
        var db = await DatasetAsync();
        var file = Write("test.json", CardiologyTest);

        var add = await CliProcess.RunAsync(db, "interventions", "add", $"--file={file}", "--json");
        Assert.True(add.ExitCode == 0, add.Output);
        var added = JsonDocument.Parse(add.Stdout).RootElement;
        Assert.True(added.GetProperty("created").GetBoolean());
        var id = added.GetProperty("intervention").GetProperty("id").GetString()!;
        Assert.Equal("scheduled", added.GetProperty("intervention").GetProperty("status").GetString());

        var again = await CliProcess.RunAsync(db, "interventions", "add", $"--file={file}");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.StartsWith($"Already defined: test \"Tier 1 cardiology rep visits\" {id}", again.Stdout, StringComparison.Ordinal);

        var planned = Write("planned.json", """
            {"name": "Next best action", "type": "policy", "schedule": "planned", "channels": ["email"], "start": "2026-04-01", "end": "2026-04-30"}
            """);
        var plannedId = JsonDocument.Parse((await CliProcess.RunAsync(db, "interventions", "add", $"--file={planned}", "--json")).Stdout).RootElement
            .GetProperty("intervention").GetProperty("id").GetString()!;

        var list = await CliProcess.RunAsync(db, "interventions", "list");
        Assert.True(list.ExitCode == 0, list.Output);
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(plannedId, StringComparison.Ordinal) && l.Contains("policy (planned)", StringComparison.Ordinal) && l.Contains("scheduled", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(id, StringComparison.Ordinal) && l.Contains("2026-04-06..2026-05-03", StringComparison.Ordinal) && l.Contains("0.5", StringComparison.Ordinal));

        var npi = await Sql.ScalarAsync<string>(db, "SELECT npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1");
        var touches = Write("touches.json", $$"""
            {"interventionId": "{{plannedId}}", "touches": [
              {"npi": "{{npi}}", "channel": "email", "day": "2026-04-02", "externalRef": "t1"},
              {"npi": "{{npi}}", "channel": "phone", "day": "2026-04-02", "externalRef": "t2"}]}
            """);
        var plan = await CliProcess.RunAsync(db, "interventions", "plan", $"--file={touches}");
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.StartsWith("1 accepted, 1 refused.", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("touch 1 (t2): channel \"phone\" is not a channel of the intervention; allowed: email.", plan.Stdout, StringComparison.Ordinal);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM platform.planned_touches WHERE intervention_id = '{plannedId}'"));
        // Touches for an intervention the engine schedules: a conflict with its state (exit 1), not bad input (it was exit 2).
        var toRule = await CliProcess.RunAsync(db, "interventions", "plan", $"--file={Write("rule-touches.json", $$"""[{"npi": "{{npi}}", "channel": "rep_visit", "day": "2026-04-07"}]""")}", $"--id={id}");
        Assert.True(toRule.ExitCode == 1, toRule.Output);
        Assert.Contains($"error: Intervention {id} has schedule", toRule.Stderr, StringComparison.Ordinal);
        Assert.Contains("the engine places its touches", toRule.Stderr, StringComparison.Ordinal);

        var show = await CliProcess.RunAsync(db, "interventions", "show", $"--id={plannedId}");
        Assert.True(show.ExitCode == 0, show.Output);
        Assert.StartsWith($"policy \"Next best action\" {plannedId} — scheduled", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("Planned touches: 1 (0 realized, 0 rejected, 1 still planned).", show.Stdout, StringComparison.Ordinal);

        var stop = await CliProcess.RunAsync(db, "interventions", "stop", $"--id={id}");
        Assert.True(stop.ExitCode == 0, stop.Output);
        Assert.Equal($"Stopped \"Tier 1 cardiology rep visits\" {id} before its start: it never runs.", stop.Stdout.Trim());
        Assert.Equal("stopped", await Sql.ScalarAsync<string>(db, $"SELECT status FROM platform.interventions WHERE id = '{id}'"));
    }

    [Fact]
    public async Task Bad_input_is_one_line_naming_what_is_allowed_with_exit_code_2_and_changes_nothing()
    {
        var db = await DatasetAsync();
        async Task Usage(string expected, params string[] args)
        {
            var run = await CliProcess.RunAsync(db, args);
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', args)}: exit {run.ExitCode}: {run.Output}");
            Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
            Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        }
        await Usage("start must be after the last simulated day 2026-03-31",
            "interventions", "add", $"--file={Write("early.json", CardiologyTest.Replace("2026-04-06", "2026-03-02", StringComparison.Ordinal))}");
        await Usage("type \"experiment\" is unknown; allowed: test, policy, campaign, trigger",
            "interventions", "add", $"--file={Write("type.json", CardiologyTest.Replace("\"test\"", "\"experiment\"", StringComparison.Ordinal))}");
        await Usage("bad.json line 1 at $.start: the value must be a date as YYYY-MM-DD",
            "interventions", "add", $"--file={Write("bad.json", """{"name": "x", "start": "soon"}""")}");
        await Usage("field 'colour' is unknown; allowed: id, name, type", "interventions", "add", $"--file={Write("field.json", """{"colour": "red"}""")}");
        await Usage("does not exist", "interventions", "add", $"--file={Path.Combine(_folder, "missing.json")}");
        await Usage("--id 'nope' is not an intervention id: a UUID", "interventions", "show", "--id=nope");
        await Usage("Name the intervention: --id=ID", "interventions", "plan", $"--file={Write("bare.json", "[]")}");
        await Usage("--file", "interventions", "add");
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.interventions"));

        var unknown = await CliProcess.RunAsync(db, "interventions", "stop", $"--id={Guid.Empty}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No intervention with id 00000000-0000-0000-0000-000000000000", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_refusals_are_one_line_bad_input_exit_2_and_no_truth_yet_exit_1()
    {
        var db = await DatasetAsync();
        var id = JsonDocument.Parse((await CliProcess.RunAsync(db, "interventions", "add", $"--file={Write("test.json", CardiologyTest)}", "--json")).Stdout)
            .RootElement.GetProperty("intervention").GetProperty("id").GetString()!;
        var estimates = Write("ate.csv", "ate,lower,upper\n0.1,0,0.2\n");
        async Task<ProcessRun> Score(params string[] more) =>
            await CliProcess.RunAsync(db, ["interventions", "score", $"--id={id}", $"--estimates={estimates}", .. more]);

        var oracle = await Score("--outcome=email_open", "--model-type=oracle");
        Assert.True(oracle.ExitCode == 2, oracle.Output);
        Assert.Contains("error: model type needs 1–50 characters", oracle.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", oracle.Stderr, StringComparison.Ordinal);
        // Defined but not adopted yet (its start is after the last simulated day): nothing to score against.
        var early = await Score("--outcome=email_open");
        Assert.True(early.ExitCode == 1, early.Output);
        Assert.Contains($"error: Intervention {id} has no truth yet: it is not adopted by the dataset or none of its window is simulated.", early.Stderr,
            StringComparison.Ordinal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.uplift_models WHERE model_type <> 'oracle'"));
    }

    [Fact]
    public async Task Files_that_cannot_be_read_or_never_end_are_one_line_with_exit_code_2()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc and /dev files
        }
        var db = await DatasetAsync();
        async Task Usage(string expected, params string[] args)
        {
            var run = await CliProcess.RunAsync(db, args);
            Assert.True(run.ExitCode == 2, $"{string.Join(' ', args)}: exit {run.ExitCode}: {run.Output}");
            Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
            Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
        }
        // An I/O error was "IOException: …" with exit 1; /dev/zero was read until memory ran out.
        await Usage("--file '/proc/self/mem' cannot be read", "interventions", "add", "--file=/proc/self/mem");
        await Usage("--file '/dev/zero' is larger than 64 MiB", "interventions", "plan", "--file=/dev/zero", $"--id={Guid.Empty}");
        // An estimates folder asked for "a JSON file".
        await Usage($"--estimates '{_folder}' is a folder; give a CSV file", "interventions", "score", $"--id={Guid.Empty}", "--outcome=rx", $"--estimates={_folder}");
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.interventions"));
    }

    [Fact]
    public async Task A_regeneration_that_adopts_an_intervention_prints_every_table_with_its_checksum()
    {
        var db = await DatasetAsync();
        var add = await CliProcess.RunAsync(db, "interventions", "add", $"--file={Write("test.json", CardiologyTest)}");
        Assert.True(add.ExitCode == 0, add.Output);

        // The plain table (not --json) of a backfill whose window covers the intervention: its tables have rows and checksums
        // (they had none, and the table's checksum column failed the command after the swap).
        var run = await CliProcess.RunAsync(db, "generate", "--seed=3", "--hcps=300", "--months=2", "--as-of=2026-04-30", "--wipe", "--yes");
        Assert.True(run.ExitCode == 0, run.Output);
        foreach (var table in new[] { "intervention_assignments", "intervention_truth", "planned_touch_results" })
        {
            Assert.Contains(table, run.Stdout, StringComparison.Ordinal);
            var checksum = await Sql.ScalarAsync<string>(db,
                $"SELECT checksums->>'{table}' FROM platform.generation_runs WHERE status = 'succeeded' ORDER BY started_at DESC LIMIT 1");
            Assert.Matches("^[0-9a-f]{32}$", checksum);
        }
        Assert.True(await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.intervention_truth") > 0);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
