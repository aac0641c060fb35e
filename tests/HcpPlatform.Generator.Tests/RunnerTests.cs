using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Testing;
using Npgsql;
using static HcpPlatform.Generator.Tests.Kit;

namespace HcpPlatform.Generator.Tests;

/// <summary>The worker's core (<see cref="SimulationRunner"/>) against a real PostgreSQL: exactly once, in order, controlled from the database.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class RunnerTests(PostgresFixture postgres)
{
    /// <summary>The day before a month boundary, so three increments bring a month's Rx rows.</summary>
    private static readonly DateOnly T = new(2026, 3, 30);

    // ---------------------------------------------------------------- increments = backfill

    [Fact]
    public async Task Increments_after_a_backfill_equal_a_later_backfill_on_shared_days()
    {
        var incremented = await DatasetAsync(postgres, T);
        await SetStateAsync(incremented, "running");
        var report = await Runner(incremented, ManualClock.At(T.AddDays(3)), "w1").RunAsync(RunReason.CatchUp, default);
        Assert.Equal(RunOutcome.Generated, report.Outcome);
        Assert.Equal([T.AddDays(1), T.AddDays(2), T.AddDays(3)], report.Days.Select(d => d.Day));
        Assert.Contains(report.Days, d => d.Counts["prescribing_history"] == Hcps); // April's Rx rows on April 1st

        var backfilled = await DatasetAsync(postgres, T.AddDays(3));
        await AssertSameOnSharedDaysAsync(incremented, backfilled);
    }

    [Fact]
    public async Task Scenario_events_apply_going_forward_and_a_backfill_with_them_yields_the_same_rows()
    {
        var incremented = await DatasetAsync(postgres, T);
        // One of them asks to start in the past: it starts on the first open day instead.
        ScenarioEvent[] events =
        [
            new() { Type = ScenarioEvent.ProductLaunch, Start = T.AddDays(2), End = T.AddDays(30), Magnitude = 2, Product = "Orbelza" },
            new() { Type = ScenarioEvent.EmailFatigue, Start = T.AddDays(-10), End = T.AddDays(20), Magnitude = 0.7 },
            new() { Type = ScenarioEvent.TerritoryChange, Start = T.AddDays(2), Magnitude = 0.5 },
            new() { Type = ScenarioEvent.SeasonalDip, Start = T.AddDays(3), End = T.AddDays(9), Magnitude = 0.4, Channel = "digital_ad" },
        ];
        await SetStateAsync(incremented, "running", configJson: new SimulationSettings(null, [.. events.Select(EventSpec.From)]).ToJson());
        var before = await DigestAsync(incremented, "SELECT id, event_date, rep_id, metadata FROM hcp.stimuli_events");

        var runner = Runner(incremented, ManualClock.At(T.AddDays(4)), "w1");
        var report = await runner.RunAsync(RunReason.CatchUp, default);
        Assert.Equal(4, report.Days.Count);

        // Adopted going forward: the stored parameters carry the events, the fatigue moved to the first open day.
        var stored = GenerationParameters.FromJson(await Sql.ScalarAsync<string>(incremented, "SELECT parameters::text FROM hcp.dataset_info"));
        Assert.Equal(4, stored.Config.Events!.Count);
        Assert.Equal(T.AddDays(1), stored.Config.Events.Single(e => e.Type == ScenarioEvent.EmailFatigue).Start);
        Assert.Equal(4L, await Sql.ScalarAsync<long>(incremented, "SELECT count(*) FROM hcp.ground_truth WHERE parameter = 'scenario_event'"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(incremented, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'scenario_events'"));
        // ... the simulated days did not change ...
        Assert.Equal(before, await DigestAsync(incremented, $"SELECT id, event_date, rep_id, metadata FROM hcp.stimuli_events WHERE event_date < '{Iso(T.AddDays(1))}T00:00:00Z'"));
        // ... and the events are visible in the new days.
        Assert.True(await Sql.ScalarAsync<long>(incremented, "SELECT count(*) FROM hcp.stimuli_events WHERE metadata->>'launch_product' = 'Orbelza'") > 0);
        // Asking again changes nothing.
        Assert.Equal(RunOutcome.UpToDate, (await runner.RunAsync(RunReason.CatchUp, default)).Outcome);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(incremented, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'scenario_events'"));

        // A backfill with the stored parameters (events included) has the same rows on every shared day.
        var backfilled = await postgres.CreateMigratedDatabaseAsync();
        await Backfill.RunAsync(DataSources.For(backfilled), Parameters(T.AddDays(4), stored.Config), null, CancellationToken.None);
        await AssertSameOnSharedDaysAsync(incremented, backfilled);
        const string truth = "SELECT id, parameter, channel, period, value, details FROM hcp.ground_truth";
        Assert.Equal(await DigestAsync(backfilled, truth), await DigestAsync(incremented, truth));
    }

    [Fact]
    public async Task Invalid_desired_events_are_reported_and_generation_goes_on_without_them()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running", configJson: """{"events": [{"type": "meteor_strike", "start": "2026-04-01", "magnitude": 0.5}]}""");
        var report = await Runner(cs, ManualClock.At(T.AddDays(1)), "w1").RunAsync(RunReason.CatchUp, default);
        Assert.Single(report.Days);
        Assert.Null(GenerationParameters.FromJson(await Sql.ScalarAsync<string>(cs, "SELECT parameters::text FROM hcp.dataset_info")).Config.Events);
        var error = await Sql.ScalarAsync<string>(cs, "SELECT coalesce(last_error, '') || '|' || coalesce(last_increment_day::text, '') FROM platform.simulation_state");
        Assert.Equal("|" + Iso(T.AddDays(1)), error); // the successful day cleared the recorded problem
    }

    // ---------------------------------------------------------------- catch-up, modes

    [Fact]
    public async Task A_worker_down_for_three_days_catches_up_all_three_in_order()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var clock = ManualClock.At(T.AddDays(3));
        var runner = Runner(cs, clock, "w1");

        var report = await runner.RunAsync(RunReason.Nightly, default);

        Assert.Equal([T.AddDays(1), T.AddDays(2), T.AddDays(3)], report.Days.Select(d => d.Day));
        Assert.Equal([(T.AddDays(1), "succeeded"), (T.AddDays(2), "succeeded"), (T.AddDays(3), "succeeded")], await IncrementsAsync(cs));
        Assert.Equal(RunOutcome.UpToDate, (await runner.RunAsync(RunReason.Nightly, default)).Outcome);

        clock.Now = clock.Now.AddDays(1); // the next night
        Assert.Equal([T.AddDays(4)], (await runner.RunAsync(RunReason.Nightly, default)).Days.Select(d => d.Day));
        Assert.Equal(T.AddDays(4), await WatermarkAsync(cs));
        var status = await Sql.ListAsync(cs, "SELECT last_increment_day, last_increment_rows, current_simulated_day FROM platform.simulation_state",
            r => (r.GetFieldValue<DateOnly>(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2)));
        Assert.Equal(T.AddDays(4), status[0].Item1);
        Assert.True(status[0].Item2 > 0);
        Assert.Equal(T.AddDays(4), status[0].Item3);
    }

    [Fact]
    public async Task A_paused_or_stopped_worker_generates_nothing_until_resumed()
    {
        var cs = await DatasetAsync(postgres, T);
        var runner = Runner(cs, ManualClock.At(T.AddDays(2)), "w1");

        await SetStateAsync(cs, "stopped");
        Assert.Equal(RunOutcome.NotRunning, (await runner.RunAsync(RunReason.Nightly, default)).Outcome);
        await SetStateAsync(cs, "paused", 1);
        Assert.Equal(RunOutcome.NotRunning, (await runner.RunAsync(RunReason.Accelerated, default)).Outcome);
        Assert.Equal(RunOutcome.NotRunning, (await runner.RunAsync(RunReason.CatchUp, default)).Outcome);
        // Accelerated mode ignores the nightly trigger, and nightly mode ignores the accelerated one.
        await SetStateAsync(cs, "running", 1);
        Assert.Equal(RunOutcome.NotRunning, (await runner.RunAsync(RunReason.Nightly, default)).Outcome);
        Assert.Equal(T, await WatermarkAsync(cs));
        Assert.Empty(await IncrementsAsync(cs));

        // Accelerated: one day per trigger, whatever the date (here beyond "today").
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal([T.AddDays(i)], (await runner.RunAsync(RunReason.Accelerated, default)).Days.Select(d => d.Day));
        }
        await SetStateAsync(cs, "running");
        Assert.Equal(RunOutcome.UpToDate, (await runner.RunAsync(RunReason.Nightly, default)).Outcome);
        Assert.Equal(T.AddDays(3), await WatermarkAsync(cs));
    }

    [Fact]
    public async Task Pausing_during_a_catch_up_finishes_the_day_in_progress_and_stops()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var runner = Runner(cs, ManualClock.At(T.AddDays(5)), "w1");

        Task<RunReport> run;
        await using (var blocker = await BlockLineageAsync(cs))
        {
            run = runner.RunAsync(RunReason.CatchUp, default);
            await WaitUntilBlockedAsync(cs, "w1");
            await SetStateAsync(cs, "paused"); // while the first day is in progress
        }

        var report = await run;
        Assert.Equal([T.AddDays(1)], report.Days.Select(d => d.Day));
        Assert.Equal(T.AddDays(1), await WatermarkAsync(cs));
        Assert.Equal([(T.AddDays(1), "succeeded")], await IncrementsAsync(cs));
    }

    // ---------------------------------------------------------------- exactly once

    [Fact]
    public async Task Killing_the_worker_mid_increment_then_restarting_yields_each_day_exactly_once()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var clock = ManualClock.At(T.AddDays(2));

        RunReport killed;
        await using (var blocker = await BlockLineageAsync(cs))
        {
            var run = Runner(cs, clock, "w1").RunAsync(RunReason.CatchUp, default);
            // The day's rows are written and the watermark advanced, uncommitted; now the worker's connection dies.
            var pid = await WaitUntilBlockedAsync(cs, "w1");
            await Sql.ScalarAsync<bool>(cs, $"SELECT pg_terminate_backend({pid})");
            killed = await run;
        }
        Assert.Equal(RunOutcome.Failed, killed.Outcome);
        Assert.Empty(killed.Days);
        Assert.Equal(T, await WatermarkAsync(cs));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.stimuli_events WHERE event_date >= '{Iso(T.AddDays(1))}T00:00:00Z'"));
        Assert.True(await Sql.ScalarAsync<bool>(cs, "SELECT last_error IS NOT NULL FROM platform.simulation_state"));

        // "Restart": a new worker catches up.
        var report = await Runner(cs, clock, "w1-restarted").RunAsync(RunReason.CatchUp, default);
        Assert.Equal([T.AddDays(1), T.AddDays(2)], report.Days.Select(d => d.Day));
        await AssertEachDayExactlyOnceAsync(cs, T, T.AddDays(2));
    }

    [Fact]
    public async Task Cancelling_a_run_mid_increment_leaves_no_half_day()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var clock = ManualClock.At(T.AddDays(2));

        using (var shutdown = new CancellationTokenSource())
        await using (var blocker = await BlockLineageAsync(cs))
        {
            var run = Runner(cs, clock, "w1").RunAsync(RunReason.CatchUp, shutdown.Token);
            await WaitUntilBlockedAsync(cs, "w1");
            await shutdown.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
        Assert.Equal(T, await WatermarkAsync(cs));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.outcome_events WHERE event_date >= '{Iso(T.AddDays(1))}T00:00:00Z'"));

        await Runner(cs, clock, "w1").RunAsync(RunReason.CatchUp, default);
        await AssertEachDayExactlyOnceAsync(cs, T, T.AddDays(2));
    }

    [Fact]
    public async Task Two_workers_and_a_cli_increment_against_one_database_produce_each_day_once()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var target = T.AddDays(6);
        var clock = ManualClock.At(target);
        var a = Runner(cs, clock, "a");
        var b = Runner(cs, clock, "b");
        var outcomes = new List<RunOutcome>();

        // Both race for the same catch-up; the one that finds the other running backs off and tries again.
        while (await WatermarkAsync(cs) < target)
        {
            var reports = await Task.WhenAll(a.RunAsync(RunReason.CatchUp, default), b.RunAsync(RunReason.CatchUp, default));
            outcomes.AddRange(reports.Select(r => r.Outcome));
            Assert.DoesNotContain(RunOutcome.Failed, outcomes);
        }
        Assert.Equal(target, await WatermarkAsync(cs)); // never beyond "today"
        await AssertEachDayExactlyOnceAsync(cs, T, target);

        // A CLI increment while a worker runs: one of them finds the lock taken, or the worker finds the watermark moved.
        clock.Now = clock.Now.AddDays(2);
        var cli = new DailyIncrement(DataSources.For(cs));
        var worker = a.RunAsync(RunReason.CatchUp, default);
        try
        {
            await cli.RunNextDayAsync(default);
        }
        catch (GenerationBusyException)
        {
            // the worker had the lock: fine
        }
        Assert.NotEqual(RunOutcome.Failed, (await worker).Outcome);
        await a.RunAsync(RunReason.CatchUp, default);
        var end = await WatermarkAsync(cs);
        Assert.InRange(end, target.AddDays(2), target.AddDays(3));
        await AssertEachDayExactlyOnceAsync(cs, T, end);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// Holds a SHARE lock on platform.generation_runs: an increment then blocks on its lineage INSERT, after it has
    /// written the day's rows and advanced the watermark, just before commit — the worst moment to die.
    /// </summary>
    internal static async Task<NpgsqlConnection> BlockLineageAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("BEGIN; LOCK TABLE platform.generation_runs IN SHARE MODE", connection);
        await cmd.ExecuteNonQueryAsync();
        return connection; // disposing it ends the transaction and releases the lock
    }

    /// <summary>The backend pid of the worker's increment, once it waits on the lineage lock.</summary>
    internal static async Task<int> WaitUntilBlockedAsync(string connectionString, string workerId)
    {
        var pid = 0;
        await Poll.UntilAsync(async () =>
        {
            var pids = await Sql.ListAsync(connectionString, $"""
                SELECT pid FROM pg_stat_activity
                WHERE application_name = '{SimulationRunner.ApplicationNameFor(workerId)}' AND wait_event_type = 'Lock'
                  AND query LIKE '%INSERT INTO platform.generation_runs%'
                """, r => r.GetInt32(0));
            pid = pids.FirstOrDefault();
            return pid != 0;
        }, $"worker {workerId} blocked inside an increment", Deadline);
        return pid;
    }

    /// <summary>Each day after <paramref name="from"/> through <paramref name="through"/> is there exactly once and complete.</summary>
    internal static async Task AssertEachDayExactlyOnceAsync(string cs, DateOnly from, DateOnly through)
    {
        Assert.Equal(through, await WatermarkAsync(cs));
        var increments = await IncrementsAsync(cs);
        Assert.All(increments, i => Assert.Equal("succeeded", i.Status));
        var expectedDays = Enumerable.Range(1, through.DayNumber - from.DayNumber).Select(i => from.AddDays(i)).ToList();
        Assert.Equal(expectedDays, increments.Select(i => i.Day)); // once each, in order

        // Complete: every day's rows are exactly what the engine gives for that day.
        var parameters = GenerationParameters.FromJson(await Sql.ScalarAsync<string>(cs, "SELECT parameters::text FROM hcp.dataset_info"));
        var windowStart = await Sql.ScalarAsync<DateOnly>(cs, "SELECT window_start FROM hcp.dataset_info");
        var simulator = new Simulator(new Population(new SimulationModel(parameters.Config), parameters.Seed, parameters.Hcps, parameters.Fixtures, 2));
        var actual = (await RowsPerDayAsync(cs, from.AddDays(1))).ToDictionary(r => r.Day);
        foreach (var day in expectedDays)
        {
            var blocks = simulator.Evaluate(windowStart, day, day, 2).ToList();
            Assert.Equal((day, (long)blocks.Sum(b => b.Stimuli.Count), (long)blocks.Sum(b => b.Outcomes.Count)), actual[day]);
        }
    }

    /// <summary>The event tables, campaigns and participation agree on every day both datasets cover.</summary>
    internal static async Task AssertSameOnSharedDaysAsync(string incremented, string backfilled)
    {
        Assert.Equal(await WatermarkAsync(backfilled), await WatermarkAsync(incremented));
        var ws = await Sql.ScalarAsync<DateOnly>(backfilled, "SELECT window_start FROM hcp.dataset_info");
        var from = $"'{Iso(ws)}T00:00:00Z'::timestamptz";
        string[] queries =
        [
            $"SELECT {Cols(DatasetTables.Stimuli.Columns)} FROM hcp.stimuli_events WHERE event_date >= {from}",
            $"SELECT {Cols(DatasetTables.Outcomes.Columns, "o")} FROM hcp.outcome_events o JOIN hcp.stimuli_events s ON s.id = o.stimulus_id WHERE s.event_date >= {from}",
            $"SELECT {Cols(DatasetTables.Rx.Columns)} FROM hcp.prescribing_history WHERE month >= {from}",
            $"SELECT {Cols(DatasetTables.Campaigns.Columns)} FROM hcp.campaigns WHERE end_date >= {from}",
            // touch and response counts aggregate over each dataset's whole window, so they differ by design
            $"SELECT p.id, p.campaign_id, p.hcp_id, p.enrolled_at, p.status FROM hcp.campaign_participation p JOIN hcp.campaigns c ON c.id = p.campaign_id WHERE c.end_date >= {from}",
        ];
        foreach (var sql in queries)
        {
            var expected = await DigestAsync(backfilled, sql);
            Assert.False(expected.StartsWith("0:", StringComparison.Ordinal), sql);
            Assert.Equal(expected, await DigestAsync(incremented, sql));
        }
    }

    private static string Cols(string[] columns, string? alias = null) =>
        string.Join(", ", columns.Select(c => alias is null ? c : alias + "." + c));
}
