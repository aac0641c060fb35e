using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HcpPlatform.Data.Interventions;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Statistics;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.Data.Tests;

/// <summary>Interventions through the data layer: adoption, the rows a backfill and the increments write, the truth and its scoring.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class InterventionDataTests(PostgresFixture postgres)
{
    /// <summary>Two days before a month's end: three increments cross into the next month (its Rx rows, its truth).</summary>
    private static readonly DateOnly T = new(2026, 4, 28);
    private const int Hcps = 150;

    private static GenerationParameters Parameters(DateOnly asOf) => new()
    {
        Seed = 7, Hcps = Hcps, Months = 3, Scenario = "demo", AsOf = asOf, Parallelism = 2, Config = new SimulationConfig(),
    };

    private static readonly Intervention EmailTest = new()
    {
        Id = Guid.Parse("0a0b0c0d-0000-4000-8000-000000000001"),
        Name = "email test", Type = Intervention.Test, Channels = ["email", "phone"],
        Start = new DateOnly(2026, 3, 16), End = new DateOnly(2026, 5, 10), MaxExposuresPerHcp = 6, MinDaysBetweenExposures = 7, TreatedShare = 0.5,
    };

    private static readonly Intervention Planned = new()
    {
        Id = Guid.Parse("0a0b0c0d-0000-4000-8000-000000000002"),
        Name = "next best action", Type = Intervention.Policy, Schedule = Intervention.PlannedSchedule, Channels = ["rep_visit", "email"],
        Target = new InterventionTarget { Tiers = ["Tier 1", "Tier 2"] },
        Start = new DateOnly(2026, 4, 20), End = new DateOnly(2026, 5, 31), MaxExposuresPerHcp = 10, MinDaysBetweenExposures = 1,
    };

    /// <summary>Stored after the first backfill, starting after its last day: the increments adopt it going forward.</summary>
    private static readonly Intervention LaterTrigger = new()
    {
        Id = Guid.Parse("0a0b0c0d-0000-4000-8000-000000000003"),
        Name = "follow-up", Type = Intervention.Trigger, Channels = ["email"], TriggerChannel = "rep_visit", TriggerLagDays = 1,
        Start = T.AddDays(2), End = new DateOnly(2026, 6, 30), MaxExposuresPerHcp = 3, MinDaysBetweenExposures = 3,
    };

    private static async Task StoreAsync(string cs, Intervention i)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO platform.interventions (id, name, type, schedule, status, definition, start_date, end_date)
            VALUES (@id, @name, @type, @schedule, 'active', @definition::jsonb, @start, @end)
            """, connection);
        cmd.Parameters.AddWithValue("id", i.Id);
        cmd.Parameters.AddWithValue("name", i.Name);
        cmd.Parameters.AddWithValue("type", i.Type);
        cmd.Parameters.AddWithValue("schedule", i.Schedule);
        cmd.Parameters.AddWithValue("definition", i.ToJson());
        cmd.Parameters.AddWithValue("start", i.Start);
        cmd.Parameters.AddWithValue("end", i.End);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Planned touches for the days after T: for the first HCPs of the population (some outside the target: not_assigned).</summary>
    private static async Task PlanAsync(string cs)
    {
        var sql = new StringBuilder();
        for (var k = 0; k < 3; k++)
        {
            var day = T.AddDays(1 + k);
            sql.Append(CultureInfo.InvariantCulture, $"""
                INSERT INTO platform.planned_touches (id, intervention_id, hcp_id, channel, day)
                SELECT md5(p.id::text || '{day:yyyy-MM-dd}')::uuid, '{Planned.Id}', p.id, CASE WHEN p.hcp_index % 2 = 0 THEN 'rep_visit' ELSE 'email' END, '{day:yyyy-MM-dd}'
                FROM hcp.hcp_profiles p WHERE p.hcp_index < 40;
                """);
        }
        await Sql.ExecuteAsync(cs, sql.ToString());
    }

    private static async Task<string> DigestAsync(string cs, string sql)
    {
        var rows = await Sql.ListAsync(cs, sql, r =>
        {
            var values = new object[r.FieldCount];
            r.GetValues(values);
            return string.Join("|", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
        });
        rows.Sort(StringComparer.Ordinal);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows)))) + $" ({rows.Count} rows)";
    }

    [Fact]
    public async Task Erasing_an_hcp_removes_its_planned_touches_and_its_intervention_rows()
    {
        var cs = await postgres.CreateMigratedDatabaseAsync();
        await StoreAsync(cs, Planned);
        await Backfill.RunAsync(DataSources.For(cs), Parameters(T), null, CancellationToken.None);
        await PlanAsync(cs);
        var (id, npi) = (await Sql.ListAsync(cs, $"SELECT a.hcp_id, p.npi FROM hcp.intervention_assignments a JOIN hcp.hcp_profiles p ON p.id = a.hcp_id WHERE p.hcp_index < 40 ORDER BY p.hcp_index LIMIT 1",
            r => (r.GetGuid(0), r.GetString(1)))).Single();
        Assert.Equal(3L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM platform.planned_touches WHERE hcp_id = '{id}'"));

        var erased = await Privacy.PrivacyRequests.EraseAsync(DataSources.For(cs), npi, "gdpr", CancellationToken.None);

        Assert.Equal(3L, erased.Deleted["planned_touches"]);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM platform.planned_touches WHERE hcp_id = '{id}'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.intervention_assignments WHERE hcp_id = '{id}'"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.intervention_truth WHERE hcp_id = '{id}'"));
        Assert.True(await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM platform.planned_touches") > 0);
    }

    [Fact]
    public async Task Backfill_and_increments_agree_with_interventions_and_planned_touches_and_the_truth_scores()
    {
        // Incremented: a backfill through T with two interventions, planned touches posted, a third intervention stored, three days.
        var incremented = await postgres.CreateMigratedDatabaseAsync();
        await StoreAsync(incremented, EmailTest);
        await StoreAsync(incremented, Planned);
        await Backfill.RunAsync(DataSources.For(incremented), Parameters(T), null, CancellationToken.None);
        await PlanAsync(incremented);
        await StoreAsync(incremented, LaterTrigger);
        var increment = new DailyIncrement(DataSources.For(incremented));
        for (var d = 0; d < 3; d++)
        {
            Assert.NotNull(await increment.RunNextDayAsync(CancellationToken.None));
        }

        // Backfilled: the same definitions and planned touches, one backfill through T + 3.
        var backfilled = await postgres.CreateMigratedDatabaseAsync();
        foreach (var i in new[] { EmailTest, Planned, LaterTrigger })
        {
            await StoreAsync(backfilled, i);
        }
        await Backfill.RunAsync(DataSources.For(backfilled), Parameters(T), null, CancellationToken.None); // hcp_profiles for the plan
        await PlanAsync(backfilled);
        await Backfill.RunAsync(DataSources.For(backfilled), Parameters(T.AddDays(3)), null, CancellationToken.None);

        string[] same =
        [
            // On the days both windows hold (the later backfill's window starts three days later).
            "SELECT id, hcp_id, campaign_id, channel, event_date, delivery_status, content_category, rep_id, metadata::text, intervention_id FROM hcp.stimuli_events WHERE event_date >= '2026-02-02'",
            "SELECT o.id, o.stimulus_id, o.outcome_type, o.event_date, o.metadata::text FROM hcp.outcome_events o JOIN hcp.stimuli_events s ON s.id = o.stimulus_id WHERE s.event_date >= '2026-02-02'",
            "SELECT id, month, rx_count, market_share FROM hcp.prescribing_history WHERE month >= '2026-02-01'",
            "SELECT intervention_id, hcp_id, arm FROM hcp.intervention_assignments",
            "SELECT planned_touch_id, intervention_id, hcp_id, day, status, reason, stimulus_id FROM hcp.planned_touch_results",
            "SELECT intervention_id, hcp_id, arm, outcome, month, y_treated, y_control FROM hcp.intervention_truth",
            "SELECT model_id, intervention_id, outcome, model_type, training_data_start, training_data_end, sample_size, ate, att FROM hcp.uplift_models",
            "SELECT id, parameter, channel, period, value, details::text FROM hcp.ground_truth",
        ];
        var differ = new List<string>();
        foreach (var sql in same)
        {
            var (a, b) = (await DigestAsync(backfilled, sql), await DigestAsync(incremented, sql));
            if (a != b)
            {
                differ.Add($"{sql}: backfill {a}, increments {b}");
                if (Environment.GetEnvironmentVariable("HCP_TEST_SHOW_ROWS") == "1")
                {
                    var x = await Sql.ListAsync(backfilled, sql, r => { var v = new object[r.FieldCount]; r.GetValues(v); return string.Join("|", v); });
                    var y = await Sql.ListAsync(incremented, sql, r => { var v = new object[r.FieldCount]; r.GetValues(v); return string.Join("|", v); });
                    differ.AddRange(x.Except(y).Order().Take(15).Select(r => "backfill only: " + r));
                    differ.AddRange(y.Except(x).Order().Take(15).Select(r => "increments only: " + r));
                }
            }
        }
        Assert.True(differ.Count == 0, string.Join("\n", differ));
        var stored = GenerationParameters.FromJson(await Sql.ScalarAsync<string>(incremented, "SELECT parameters::text FROM hcp.dataset_info"));
        Assert.Equal([EmailTest.Id, Planned.Id, LaterTrigger.Id], stored.Config.Interventions!.Select(i => i.Id));

        // Every planned touch is decided, realized ones by a stimulus of the intervention, others with a reason.
        var cs = incremented;
        Assert.Equal(120L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM hcp.planned_touch_results"));
        Assert.True(await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM hcp.planned_touch_results WHERE status = 'realized'") > 0);
        Assert.True(await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM hcp.planned_touch_results WHERE reason = 'not_assigned'") > 0);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, """
            SELECT count(*) FROM hcp.planned_touch_results r LEFT JOIN hcp.stimuli_events s ON s.id = r.stimulus_id
            WHERE (r.status = 'realized') <> (s.intervention_id IS NOT DISTINCT FROM r.intervention_id AND s.id IS NOT NULL)
            """));
        Assert.True(await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.stimuli_events WHERE intervention_id = '{LaterTrigger.Id}'") >= 0);
        Assert.True(await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM universal.exposures WHERE intervention_id = '{EmailTest.Id}'") > 0);
        Assert.Equal(3L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM universal.interventions WHERE metadata->>'source' = 'platform'"));

        // The truth's observed arm is the observed data: the email test's opens per HCP and month, and its Rx.
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"""
            WITH observed AS (
                SELECT hcp_id, date_trunc('month', event_date AT TIME ZONE 'UTC')::date AS month, count(*) AS n
                FROM hcp.outcome_events WHERE outcome_type = 'email_open' GROUP BY 1, 2)
            SELECT count(*) FROM hcp.intervention_truth t LEFT JOIN observed o ON o.hcp_id = t.hcp_id AND o.month = t.month
            WHERE t.intervention_id = '{EmailTest.Id}' AND t.outcome = 'email_open'
              AND coalesce(o.n, 0) <> CASE t.arm WHEN 'treatment' THEN t.y_treated ELSE t.y_control END
            """));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"""
            SELECT count(*) FROM hcp.intervention_truth t JOIN hcp.prescribing_history r ON r.hcp_id = t.hcp_id AND (r.month AT TIME ZONE 'UTC')::date = t.month
            WHERE t.intervention_id = '{EmailTest.Id}' AND t.outcome = 'rx' AND r.rx_count <> CASE t.arm WHEN 'treatment' THEN t.y_treated ELSE t.y_control END
            """));

        // True effects and the scoring of a plain difference in means.
        var effects = await InterventionEffects.ReadAsync(DataSources.For(cs), EmailTest.Id, CancellationToken.None);
        Assert.NotNull(effects);
        Assert.Equal(Hcps, effects.TargetHcps);
        Assert.InRange(effects.TreatedHcps, 40, 110);
        Assert.Equal(new DateOnly(2026, 3, 1), effects.From);
        Assert.Equal(T.AddDays(3), effects.Through);
        var opens = effects.Outcomes.Single(o => o.Outcome == "email_open");
        Assert.True(opens.Ate > 0, "emails and calls make more opens");
        Assert.Equal(Hcps, opens.Cates.Sum(c => c.Hcps));
        Assert.Null(await InterventionEffects.ReadAsync(DataSources.For(cs), Guid.Parse("0a0b0c0d-0000-4000-8000-0000000000ff"), CancellationToken.None));

        var means = await Sql.ListAsync(cs, $"""
            SELECT a.arm, avg(coalesce(o.n, 0))::float8, count(*)
            FROM hcp.intervention_assignments a
            LEFT JOIN (SELECT hcp_id, count(*) AS n FROM hcp.outcome_events WHERE outcome_type = 'email_open' AND event_date >= '2026-03-01' GROUP BY 1) o ON o.hcp_id = a.hcp_id
            WHERE a.intervention_id = '{EmailTest.Id}' GROUP BY a.arm ORDER BY a.arm
            """, r => (Arm: r.GetString(0), Mean: r.GetDouble(1)));
        var difference = means.Single(m => m.Arm == "treatment").Mean - means.Single(m => m.Arm == "control").Mean;
        var score = await InterventionScoring.ScoreAsync(DataSources.For(cs), EmailTest.Id, "email_open",
            new EstimateInput(null, difference, difference - 10, difference + 10), "difference_in_means", CancellationToken.None);
        Assert.Equal(opens.Ate, score.TrueAte, 9);
        Assert.Equal(difference - opens.Ate, score.Bias, 9);
        Assert.True(score.AteCovered);
        Assert.Equal(2L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.uplift_models WHERE intervention_id = '{EmailTest.Id}' AND outcome = 'email_open'"));
        var outside = await Assert.ThrowsAsync<ScoringInputException>(() => InterventionScoring.ScoreAsync(DataSources.For(cs), EmailTest.Id, "email_open",
            new EstimateInput([new UpliftEstimate(Guid.Parse("0a0b0c0d-0000-4000-8000-0000000000ff"), 1)], null, null, null), "t_learner", CancellationToken.None));
        Assert.Contains("target population", outside.Message, StringComparison.Ordinal);
        Assert.Equal(ScoringInputException.Estimates, outside.Field);
        var clicks = await Assert.ThrowsAsync<ScoringInputException>(() => InterventionScoring.ScoreAsync(DataSources.For(cs), EmailTest.Id, "clicks",
            new EstimateInput(null, 1, null, null), "t_learner", CancellationToken.None));
        Assert.Equal(ScoringInputException.Outcome, clicks.Field);
    }
}
