using HcpPlatform.Data.Interventions;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.Data.Tests;

/// <summary>The intervention catalog and planned touches against a small dataset (80 HCPs × 2 months through 2026-03-31).</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class InterventionCatalogTests(PostgresFixture postgres)
{
    private static readonly DateOnly AsOf = new(2026, 3, 31);

    private Task<string> DatasetAsync() => postgres.CloneAsync("interventions-80", db => Backfill.RunAsync(DataSources.For(db), new GenerationParameters
    {
        Seed = 11, Hcps = 80, Months = 2, Scenario = "custom", AsOf = AsOf, Parallelism = 2,
    }, null, CancellationToken.None));

    private static HcpDbContext Db(string connectionString) => InterventionCatalog.Context(DataSources.For(connectionString));

    internal static Intervention Test(string name = "Tier 1 cardiology visits", DateOnly? start = null, int days = 28) => new()
    {
        Name = name,
        Type = Intervention.Test,
        Channels = ["rep_visit"],
        Target = new InterventionTarget { Specialties = ["Cardiology"], Tiers = ["Tier 1"] },
        Start = start ?? new DateOnly(2026, 4, 6),
        End = (start ?? new DateOnly(2026, 4, 6)).AddDays(days - 1),
        MaxExposuresPerHcp = 4,
        MinDaysBetweenExposures = 7,
        TreatedShare = 0.5,
    };

    [Fact]
    public async Task Add_derives_the_id_stores_the_definition_and_finds_the_same_file_again()
    {
        var db = await DatasetAsync();
        await using var context = Db(db);
        var added = await InterventionCatalog.AddAsync(context, Test(), "tester", default);
        Assert.True(added.Created);
        var view = added.Intervention;
        Assert.Equal(InterventionCatalog.DeterministicIdFor("Tier 1 cardiology visits", new DateOnly(2026, 4, 6)), view.Id);
        Assert.Equal(InterventionCatalog.Scheduled, view.Status);
        Assert.Equal(["rep_visit"], view.Channels);
        Assert.Equal(0.5, view.TreatedShare);

        // Stored as the platform's row and the one JSON form; read back equal.
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM platform.interventions WHERE id = '{view.Id}' AND status = 'active' AND type = 'test' AND schedule = 'rule' AND start_date = '2026-04-06' AND end_date = '2026-05-03' AND created_by = 'tester'"));
        var stored = Intervention.FromJson(await Sql.ScalarAsync<string>(db, $"SELECT definition::text FROM platform.interventions WHERE id = '{view.Id}'"));
        Assert.Equal(view.Id, stored.Id);
        Assert.Equal(["Cardiology"], stored.Target.Specialties);
        var got = await InterventionCatalog.GetAsync(context, view.Id, default);
        Assert.Equal(view.Definition.ToJson(), got!.Definition.ToJson());

        // The same file again: found, not duplicated. Another definition under the same name and start: a conflict.
        var again = await InterventionCatalog.AddAsync(context, Test(), null, default);
        Assert.False(again.Created);
        Assert.Equal(view.Id, again.Intervention.Id);
        var other = Test();
        other.MaxExposuresPerHcp = 2;
        var conflict = await Assert.ThrowsAsync<InterventionConflictException>(() => InterventionCatalog.AddAsync(context, other, null, default));
        Assert.Contains(view.Id.ToString(), conflict.Message);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.interventions"));

        // A given id is kept.
        var withId = Test("With an id");
        withId.Id = Guid.Parse("6a1e2f55-0d7c-4b8e-9a41-0c1d2e3f4a5b");
        Assert.Equal(withId.Id, (await InterventionCatalog.AddAsync(context, withId, null, default)).Intervention.Id);
        Assert.Equal(["Tier 1 cardiology visits", "With an id"], (await InterventionCatalog.ListAsync(context, default)).Select(i => i.Name).Order());
    }

    [Fact]
    public async Task Add_refuses_a_start_on_a_simulated_day_and_bad_fields_naming_each_and_writes_nothing()
    {
        var db = await DatasetAsync();
        await using var context = Db(db);
        var past = await Assert.ThrowsAsync<InterventionInputException>(() => InterventionCatalog.AddAsync(context, Test(start: AsOf), null, default));
        Assert.Contains("start must be after the last simulated day 2026-03-31", past.Message);

        var bad = Test();
        bad.Type = "experiment";
        bad.Channels = ["fax"];
        bad.ContentCategory = "gossip";
        bad.Target.Tiers = ["Tier 9"];
        var e = await Assert.ThrowsAsync<InterventionInputException>(() => InterventionCatalog.AddAsync(context, bad, null, default));
        Assert.Contains(e.Problems, p => p.StartsWith("type \"experiment\" is unknown; allowed: test, policy, campaign, trigger", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Contains("channels has \"fax\"; allowed: email, rep_visit, phone, digital_ad", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("contentCategory \"gossip\" is unknown; allowed: ", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("target.tiers has \"Tier 9\"; allowed: Tier 1, Tier 2, Tier 3", StringComparison.Ordinal));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.interventions"));
    }

    [Fact]
    public async Task Status_follows_the_simulated_days_and_stop_ends_the_intervention_on_the_last_simulated_day()
    {
        var db = await DatasetAsync();
        await using var context = Db(db);
        var running = (await InterventionCatalog.AddAsync(context, Test("Running"), null, default)).Intervention;
        var later = (await InterventionCatalog.AddAsync(context, Test("Later", new DateOnly(2026, 6, 1)), null, default)).Intervention;
        Assert.All(await InterventionCatalog.ListAsync(context, default), i => Assert.Equal(InterventionCatalog.Scheduled, i.Status));

        // Days appended by increments: the first intervention is running, then completed.
        await Sql.ExecuteAsync(db, "UPDATE hcp.dataset_info SET simulated_through = '2026-04-10'");
        Assert.Equal(InterventionCatalog.Running, (await InterventionCatalog.GetAsync(context, running.Id, default))!.Status);
        await Sql.ExecuteAsync(db, "UPDATE hcp.dataset_info SET simulated_through = '2026-05-03'");
        Assert.Equal(InterventionCatalog.Completed, (await InterventionCatalog.GetAsync(context, running.Id, default))!.Status);
        await Sql.ExecuteAsync(db, "UPDATE hcp.dataset_info SET simulated_through = '2026-04-10'");

        var stopped = await InterventionCatalog.StopAsync(context, running.Id, default);
        Assert.Equal(InterventionCatalog.Stopped, stopped!.Status);
        Assert.Equal(new DateOnly(2026, 4, 10), stopped.End);
        Assert.Equal(new DateOnly(2026, 4, 10), stopped.Definition.End);
        Assert.NotNull(stopped.StoppedAt);
        Assert.Equal("2026-04-10", await Sql.ScalarAsync<string>(db, $"SELECT definition->>'end' FROM platform.interventions WHERE id = '{running.Id}'"));
        Assert.Equal("stopped", await Sql.ScalarAsync<string>(db, $"SELECT status FROM platform.interventions WHERE id = '{running.Id}'"));
        // Stopping again changes nothing.
        var again = await InterventionCatalog.StopAsync(context, running.Id, default);
        Assert.Equal(stopped.StoppedAt, again!.StoppedAt);

        // Stopped before its start: it ends before it starts (never ran).
        var never = await InterventionCatalog.StopAsync(context, later.Id, default);
        Assert.True(never!.End < never.Start);
        Assert.Null(await InterventionCatalog.StopAsync(context, Guid.NewGuid(), default));
    }

    [Fact]
    public async Task Without_a_dataset_any_start_is_accepted_and_everything_is_scheduled()
    {
        var db = await postgres.CreateMigratedDatabaseAsync();
        await using var context = Db(db);
        var early = (await InterventionCatalog.AddAsync(context, Test("Early", new DateOnly(2003, 2, 3)), null, default)).Intervention;
        Assert.Equal(InterventionCatalog.Scheduled, early.Status);
        var stopped = await InterventionCatalog.StopAsync(context, early.Id, default);
        Assert.Equal(new DateOnly(2003, 2, 2), stopped!.End);
    }

    [Fact]
    public async Task A_wait_for_the_generation_lock_answers_busy_after_its_timeout_and_leaves_no_lock_timeout_once_held()
    {
        var db = await postgres.CreateMigratedDatabaseAsync();
        await using var holder = new NpgsqlConnection(db);
        await holder.OpenAsync();
        await using var waiter = new NpgsqlConnection(db);
        await waiter.OpenAsync();
        await using (var held = await holder.BeginTransactionAsync())
        {
            Assert.True(await GenerationLock.TryAcquireTransactionAsync(holder, held, default));
            await using var tx = await waiter.BeginTransactionAsync();
            var e = await Assert.ThrowsAsync<GenerationBusyException>(() => GenerationLock.WaitTransactionAsync(waiter, tx, TimeSpan.FromSeconds(1), default));
            Assert.Equal("A generation (a backfill or a day being appended) held the dataset for more than 1 s; nothing was changed. Try again when it finishes.", e.Message);
        }
        await using (var tx = await waiter.BeginTransactionAsync())
        {
            await GenerationLock.WaitTransactionAsync(waiter, tx, TimeSpan.FromSeconds(1), default);
            Assert.Equal("0", await Sql.ScalarAsync<string>(waiter, "SHOW lock_timeout", tx));
            await using var other = await holder.BeginTransactionAsync();
            Assert.False(await GenerationLock.TryAcquireTransactionAsync(holder, other, default));
        }
    }

    [Fact]
    public async Task Add_waits_for_a_day_being_appended_and_then_applies()
    {
        var db = await DatasetAsync();
        await using var holder = new NpgsqlConnection(db);
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        Assert.True(await GenerationLock.TryAcquireTransactionAsync(holder, tx, default));

        await using var context = Db(db);
        var add = InterventionCatalog.AddAsync(context, Test(), null, default);
        // The add's session waits on the advisory lock; it has written nothing yet.
        await Poll.UntilAsync(async () => await Sql.ScalarAsync<long>(db,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'") == 1,
            "the add to wait for the generation lock", TimeSpan.FromSeconds(15));
        Assert.False(add.IsCompleted);
        // The "increment" moves the watermark past the intervention's start and commits.
        await Sql.ExecuteAsync(holder, "UPDATE hcp.dataset_info SET simulated_through = '2026-04-06'", tx);
        await tx.CommitAsync();
        var e = await Assert.ThrowsAsync<InterventionInputException>(() => add);
        Assert.Contains("start must be after the last simulated day 2026-04-06", e.Message);
    }

    [Fact]
    public async Task Planned_touches_are_checked_one_by_one_stored_once_and_listed_with_their_results()
    {
        var db = await DatasetAsync();
        await using var context = Db(db);
        var rule = (await InterventionCatalog.AddAsync(context, Test("Rule"), null, default)).Intervention;
        var plannedDefinition = Test("Next best action");
        plannedDefinition.Type = Intervention.Policy;
        plannedDefinition.TreatedShare = null;
        plannedDefinition.Schedule = Intervention.PlannedSchedule;
        plannedDefinition.Channels = ["email", "rep_visit"];
        plannedDefinition.Target = new InterventionTarget();
        var planned = (await InterventionCatalog.AddAsync(context, plannedDefinition, null, default)).Intervention;

        // The intervention's schedule, not the batch, is why: a conflict with its state (409), as for a stopped one.
        var notPlanned = await Assert.ThrowsAsync<InterventionConflictException>(() => PlannedTouches.SubmitAsync(context, rule.Id,
            [new PlannedTouchInput(null, "1234567893", "rep_visit", new DateOnly(2026, 4, 7))], null, default));
        Assert.Contains("schedule \"planned\"", notPlanned.Message);
        Assert.Null(await PlannedTouches.SubmitAsync(context, Guid.NewGuid(), [new PlannedTouchInput(null, "1234567893", "email", new DateOnly(2026, 4, 7))], null, default));

        var hcps = await Sql.ListAsync(db, "SELECT id, npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 2", r => (Id: r.GetGuid(0), Npi: r.GetString(1)));
        var day = new DateOnly(2026, 4, 7);
        PlannedTouchInput[] touches =
        [
            new(hcps[0].Id, null, "email", day, "clinical_data", null, "nba-1"),
            new(null, hcps[1].Npi, "rep_visit", day.AddDays(1), ExternalRef: "nba-2"),
            new(Guid.NewGuid(), null, "email", day),
            new(hcps[0].Id, null, "phone", day),
            new(hcps[0].Id, null, "email", new DateOnly(2026, 3, 30)),
            new(hcps[0].Id, null, "email", day.AddDays(2), "gossip", "Nothingol"),
            new(hcps[0].Id, null, "email", day, ExternalRef: "nba-1 again"),
            new(null, null, null, null),
        ];
        var result = await PlannedTouches.SubmitAsync(context, planned.Id, touches, "nba-engine", default);
        Assert.Equal(2, result!.Accepted);
        Assert.Equal(6, result.Refused);
        var d = result.Touches;
        Assert.True(d[0].Accepted && d[1].Accepted);
        Assert.Equal("nba-1", d[0].ExternalRef);
        Assert.Contains("is not an HCP of the dataset", Assert.Single(d[2].Reasons));
        Assert.Equal("channel \"phone\" is not a channel of the intervention; allowed: email, rep_visit.", Assert.Single(d[3].Reasons));
        Assert.Contains("allowed: 2026-04-06 to 2026-05-03", Assert.Single(d[4].Reasons));
        Assert.Equal(2, d[5].Reasons.Count);
        Assert.StartsWith("contentCategory \"gossip\" is unknown; allowed: ", d[5].Reasons[0], StringComparison.Ordinal);
        Assert.StartsWith("product \"Nothingol\" is unknown; allowed: ", d[5].Reasons[1], StringComparison.Ordinal);
        Assert.Contains("already planned", Assert.Single(d[6].Reasons));
        Assert.Equal(3, d[7].Reasons.Count); // HCP, channel, day

        // Posted again: nothing new.
        var twice = await PlannedTouches.SubmitAsync(context, planned.Id, touches[..2], null, default);
        Assert.Equal(0, twice!.Accepted);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.planned_touches"));

        var list = await PlannedTouches.ListAsync(context, planned.Id, null, 100, default);
        Assert.Equal([PlannedTouches.Planned, PlannedTouches.Planned], list.Select(t => t.Status));
        Assert.Equal(hcps[0].Npi, list[0].Npi);
        Assert.Equal("clinical_data", list[0].ContentCategory);
        Assert.Equal("nba-engine", list[0].SubmittedBy);
        // What the increment writes for the day, as the list shows it.
        await Sql.ExecuteAsync(db, $"""
            INSERT INTO hcp.planned_touch_results (planned_touch_id, intervention_id, hcp_id, day, status, reason)
            VALUES ('{list[1].Id}', '{planned.Id}', '{list[1].HcpId}', '{list[1].Day:yyyy-MM-dd}', 'rejected', 'rep_capacity')
            """);
        var rejected = Assert.Single(await PlannedTouches.ListAsync(context, planned.Id, "rejected", 100, default));
        Assert.Equal("rep_capacity", rejected.Reason);
        Assert.Equal("nba-2", rejected.ExternalRef);

        var counts = await InterventionCatalog.CountsAsync(context, planned.Id, default);
        Assert.Equal(new InterventionCounts(0, 0, 0, 2, 0, 1), counts);

        // A stopped intervention takes no more touches: a conflict with its state (409), not bad input.
        await InterventionCatalog.StopAsync(context, planned.Id, default);
        await Assert.ThrowsAsync<InterventionConflictException>(() => PlannedTouches.SubmitAsync(context, planned.Id, touches[..1], null, default));
    }

    [Fact]
    public void Estimates_csv_reads_per_hcp_and_ate_files_and_names_the_line_of_a_problem()
    {
        var a = Guid.Parse("0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d");
        var b = Guid.Parse("1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d");
        var perHcp = EstimateCsv.Parse($"# my model\nHCP_ID,effect,lower,upper\r\n{a},0.25,0.1,0.4\n\n{b},-1.5e-1,,\n");
        Assert.Null(perHcp.Ate);
        Assert.Equal([new(a, 0.25, 0.1, 0.4), new(b, -0.15)], perHcp.PerHcp!);

        var byNpi = EstimateCsv.Parse("npi,effect\n1234567893,1\n", new Dictionary<string, Guid> { ["1234567893"] = a });
        Assert.Equal(a, byNpi.PerHcp![0].HcpId);

        var ate = EstimateCsv.Parse("ate,lower,upper\n0.3,0.1,0.5\n");
        Assert.Equal((0.3, 0.1, 0.5), (ate.Ate!.Value, ate.AteLower!.Value, ate.AteUpper!.Value));
        Assert.Null(ate.PerHcp);
        Assert.Null(EstimateCsv.Parse("ate\n0.3").AteLower);

        void Fails(string csv, string message) => Assert.Contains(message, Assert.Throws<EstimateFormatException>(() => EstimateCsv.Parse(csv)).Message);
        Fails("", "The estimates are empty");
        Fails("hcp,effect\n", "line 1: column 'hcp' is unknown; allowed: hcp_id or npi");
        Fails($"hcp_id,effect\n{a},0.2\n{a},0.3\n", $"line 3: HCP {a} already has an estimate on line 2");
        Fails($"hcp_id,effect\n{a},lots\n", "line 2: effect 'lots' is not a number");
        Fails($"hcp_id,effect\n{a}\n", "line 2: 1 values, but the header has 2 columns");
        Fails("hcp_id,effect\nnot-a-uuid,1\n", "line 2: hcp_id 'not-a-uuid' is not a UUID");
        Fails($"hcp_id,effect,lower,upper\n{a},1,2,0\n", "line 2: lower (2) is above upper (0)");
        Fails("hcp_id,effect,lower\n", "give both lower and upper");
        Fails("ate\n0.1\n0.2\n", "exactly one line of values");
        Fails("ate,effect\n0.1,0.2\n", "an ATE file has the columns ate[,lower,upper] only");
        Fails("effect\n0.1\n", "need the columns hcp_id (or npi, not both) and effect");
        Fails("hcp_id,effect\n", "a header and no values");
        Fails($"hcp_id,effect\n{a},NaN\n", "effect 'NaN' is not a number");
    }

    [Fact]
    public void Estimates_csv_reads_quoted_values_as_rfc_4180_does()
    {
        var a = Guid.Parse("0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d");
        var b = Guid.Parse("1b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d");
        // Every value quoted (as spreadsheets and pandas write them), spaces around the quotes, empty quoted bounds.
        var quoted = EstimateCsv.Parse($"\"hcp_id\",\"effect\",\"lower\",\"upper\"\n\"{a}\", \"0.25\" ,\"0.1\",\"0.4\"\n\"{b}\",\"-0.15\",\"\",\"\"\n");
        Assert.Equal([new(a, 0.25, 0.1, 0.4), new(b, -0.15)], quoted.PerHcp!);
        // A value holding a line break is one line of the file, numbered from where it starts.
        Assert.Equal(0.3, EstimateCsv.Parse("# model\n\"ate\"\n\"0.3\n\"\n").Ate);

        void Fails(string csv, string message) => Assert.Contains(message, Assert.Throws<EstimateFormatException>(() => EstimateCsv.Parse(csv)).Message);
        // A comma inside quotes is part of the value: "1,5" is one value, and not a number (it was 3 values for 2 columns).
        Fails($"hcp_id,effect\n{a},\"1,5\"\n", "line 2: effect '1,5' is not a number");
        // A quote written twice inside quotes is one quote of the value.
        Fails("hcp_id,effect\n\"ab\"\"c\",1\n", "line 2: hcp_id 'ab\"c' is not a UUID");
        // A quote left open was dropped and the value taken.
        Fails($"hcp_id,effect\n\"{a},0.5\n", "line 2: a quoted value is not closed");
        Fails($"hcp_id,effect\n{a},0\"5\n", "line 2: a quote inside an unquoted value");
        Fails($"hcp_id,effect\n\"{a}\"x,0.5\n", "line 2: text after the quoted value");
        Fails($"hcp_id,effect\n{a},\"0.5\n\"\n{a},1\n", "line 4: HCP");
    }

    [Fact]
    public async Task Estimates_csv_with_npis_resolves_the_npis_it_gives_against_the_dataset()
    {
        var db = await DatasetAsync();
        var hcps = await Sql.ListAsync(db, "SELECT id, npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 2", r => (Id: r.GetGuid(0), Npi: r.GetString(1)));
        var input = await EstimateCsv.ParseAsync(DataSources.For(db), $"npi,effect\n\"{hcps[0].Npi}\",0.5\n{hcps[1].Npi},-1\n", CancellationToken.None);
        Assert.Equal([new(hcps[0].Id, 0.5), new(hcps[1].Id, -1)], input.PerHcp!);
        var unknown = await Assert.ThrowsAsync<EstimateFormatException>(() =>
            EstimateCsv.ParseAsync(DataSources.For(db), $"npi,effect\n{hcps[0].Npi},0.5\n1234567893,1\n", CancellationToken.None));
        Assert.Equal("line 3: npi '1234567893' is not an HCP of the dataset.", unknown.Message);
    }
}
