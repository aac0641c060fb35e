using System.Globalization;
using System.Text;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Testing;
using Xunit.Abstractions;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>
/// The next-best-action closed loop over two simulated weeks: every morning an external system reads what became of its
/// touches so far and posts the touches it plans for the coming days through the admin API; the day is appended (POST
/// generation/advance: one daily increment); the touches of that day are realized or rejected with a reason, responses
/// follow from the behavioural model, and the intervention's truth (both potential outcomes) exists.
/// </summary>
[Collection(AdminApiGroup.Name)]
public sealed class ClosedLoopTests(AdminApiFixture fixture, ITestOutputHelper output)
{
    private static readonly DateOnly First = new(2026, 4, 1);
    private const int Days = 14;

    [Fact]
    public async Task An_external_system_plans_touches_for_two_weeks_and_sees_them_realized_or_rejected_with_responses_and_truth()
    {
        var db = await fixture.CloneAsync();
        var api = fixture.StartHost(db);
        using var admin = api.Client(fixture.Keys.Admin);
        var id = await InterventionsApiTests.DefineAsync(admin, InterventionsApiTests.PlannedPolicy("2026-04-01", "2026-04-30"));

        // The target population (Tier 1 and Tier 2) and HCPs outside it, whose touches the engine must refuse.
        var targeted = await Sql.ListAsync(db, "SELECT npi FROM hcp.hcp_profiles WHERE tier IN ('Tier 1', 'Tier 2') ORDER BY hcp_index LIMIT 120", r => r.GetString(0));
        var outside = await Sql.ListAsync(db, "SELECT npi FROM hcp.hcp_profiles WHERE tier = 'Tier 3' ORDER BY hcp_index LIMIT 14", r => r.GetString(0));
        Assert.Equal(120, targeted.Count);

        var posted = 0;
        for (var d = 0; d < Days; d++)
        {
            var day = First.AddDays(d);
            // Plans for today and tomorrow (tomorrow's may be refined the next morning: the same touch posted again is refused as already planned).
            var body = new StringBuilder("{\"touches\": [");
            var touches = new List<string>();
            foreach (var plan in new[] { day, day.AddDays(1) })
            {
                for (var k = 0; k < 8; k++)
                {
                    var npi = targeted[(plan.DayNumber * 8 + k) % targeted.Count];
                    var channel = k % 4 == 3 ? "rep_visit" : k % 4 == 2 ? "phone" : "email";
                    touches.Add($"{{\"npi\": \"{npi}\", \"channel\": \"{channel}\", \"day\": \"{plan:yyyy-MM-dd}\", \"externalRef\": \"nba-{plan:MMdd}-{k}\"}}");
                }
            }
            touches.Add($"{{\"npi\": \"{outside[d]}\", \"channel\": \"email\", \"day\": \"{day:yyyy-MM-dd}\", \"externalRef\": \"outside-{d}\"}}");
            body.Append(string.Join(", ", touches)).Append("]}");
            var submitted = await Http.OkJsonAsync(
                await admin.PostAsync($"/api/admin/interventions/{id}/planned-touches", Http.Json(body.ToString())));
            var accepted = submitted.GetProperty("accepted").GetInt32();
            Assert.True(accepted >= 9, $"day {day:yyyy-MM-dd}: {submitted}");
            posted += accepted;

            var advance = await admin.PostAsync("/api/admin/generation/advance", null);
            if (!advance.IsSuccessStatusCode)
            {
                output.WriteLine(string.Join("\n", api.Logs.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal))));
            }
            var advanced = await Http.OkJsonAsync(advance);
            Assert.Equal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), advanced.GetProperty("day").GetString());

            // Every touch of the day has its result, the same day: realized with its stimulus, or rejected with a known reason.
            var list = await Http.OkJsonAsync(await admin.GetAsync($"/api/admin/interventions/{id}/planned-touches?limit=100000"));
            var today = list.EnumerateArray().Where(t => t.GetProperty("day").GetString() == day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(today);
            foreach (var t in today)
            {
                var status = t.GetProperty("status").GetString();
                Assert.True(status is "realized" or "rejected", $"{t}");
                if (status == "rejected")
                {
                    Assert.Contains(t.GetProperty("reason").GetString(), PlannedTouchOutcome.Reasons);
                }
                else
                {
                    Assert.Equal(1L, await Sql.ScalarAsync<long>(db, $"""
                        SELECT count(*) FROM hcp.stimuli_events s JOIN hcp.hcp_profiles p ON p.id = s.hcp_id
                        WHERE s.id = '{t.GetProperty("stimulusId").GetGuid()}' AND s.intervention_id = '{id}' AND p.npi = '{t.GetProperty("npi").GetString()}'
                          AND s.channel = '{t.GetProperty("channel").GetString()}' AND (s.event_date AT TIME ZONE 'UTC')::date = '{day:yyyy-MM-dd}'
                        """));
                }
                Assert.Equal(status == "rejected", t.GetProperty("stimulusId").ValueKind == System.Text.Json.JsonValueKind.Null);
            }
            // Outside the target population: not assigned.
            var stray = today.Single(t => t.GetProperty("externalRef").GetString() == $"outside-{d}");
            Assert.Equal(("rejected", PlannedTouchOutcome.NotAssigned), (stray.GetProperty("status").GetString(), stray.GetProperty("reason").GetString()));
            // Tomorrow's touches are still planned.
            Assert.All(list.EnumerateArray().Where(t => t.GetProperty("day").GetString() == day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                t => Assert.Equal("planned", t.GetProperty("status").GetString()));
        }

        var realized = await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.planned_touch_results WHERE intervention_id = '{id}' AND status = 'realized'");
        var rejected = await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.planned_touch_results WHERE intervention_id = '{id}' AND status = 'rejected'");
        output.WriteLine($"posted {posted} touches over {Days} days: {realized} realized, {rejected} rejected");
        Assert.Equal(posted - 8, realized + rejected); // all but the last morning's plans for the day after
        output.WriteLine(await Sql.ScalarAsync<string>(db, $"""
            SELECT string_agg(reason || ' ' || n, ', ' ORDER BY n DESC)
            FROM (SELECT reason, count(*) AS n FROM hcp.planned_touch_results WHERE intervention_id = '{id}' AND status = 'rejected' GROUP BY reason) r
            """));
        Assert.True(realized >= 20, $"only {realized} of {posted} realized");
        // Email, phone and rep visits are weekday channels: a touch planned on a weekend is refused as a blackout.
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, $"""
            SELECT count(*) FROM hcp.planned_touch_results r JOIN hcp.intervention_assignments a ON a.intervention_id = r.intervention_id AND a.hcp_id = r.hcp_id
            WHERE r.intervention_id = '{id}' AND extract(isodow FROM r.day) IN (6, 7) AND (r.status <> 'rejected' OR r.reason <> 'blackout')
            """));
        // The realized touches are the intervention's exposures; responses follow from the behavioural model.
        Assert.Equal(realized, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.stimuli_events WHERE intervention_id = '{id}'"));
        Assert.True(await Sql.ScalarAsync<long>(db, $"""
            SELECT count(*) FROM hcp.outcome_events o JOIN hcp.stimuli_events s ON s.id = o.stimulus_id WHERE s.intervention_id = '{id}'
            """) > 0, "no response to any realized touch");

        // The truth: both potential outcomes for the target population; the observed (treated) arm is the observed data.
        var treated = await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.intervention_assignments WHERE intervention_id = '{id}' AND arm = 'treatment'");
        Assert.Equal(await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.hcp_profiles WHERE tier IN ('Tier 1', 'Tier 2')"), treated);
        Assert.True(await Sql.ScalarAsync<long>(db, $"SELECT count(DISTINCT hcp_id) FROM hcp.intervention_truth WHERE intervention_id = '{id}'") == treated);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, $"""
            SELECT count(*) FROM hcp.intervention_truth t
            WHERE t.intervention_id = '{id}' AND t.outcome = 'email_open' AND t.arm = 'treatment'
              AND t.y_treated <> (SELECT count(*) FROM hcp.outcome_events o WHERE o.hcp_id = t.hcp_id AND o.outcome_type = 'email_open'
                                  AND date_trunc('month', o.event_date AT TIME ZONE 'UTC')::date = t.month)
            """));

        // The admin API shows the true effects and scores estimates against them.
        var detail = await Http.OkJsonAsync(await admin.GetAsync($"/api/admin/interventions/{id}"));
        var effects = detail.GetProperty("trueEffects");
        Assert.Equal(treated, effects.GetProperty("treatedHcps").GetInt32());
        Assert.Equal("2026-04-01", effects.GetProperty("from").GetString());
        var outcomes = effects.GetProperty("outcomes").EnumerateArray().ToDictionary(o => o.GetProperty("outcome").GetString()!, o => o);
        Assert.Contains("email_open", outcomes.Keys);
        Assert.True(outcomes["email_open"].GetProperty("ate").GetDouble() > 0, "the realized emails opened nothing");
        Assert.Equal(detail.GetProperty("counts").GetProperty("realized").GetInt64(), realized);

        // The oracle's own per-HCP effects, posted as a model's: no error, a perfect ranking.
        var truth = await Sql.ListAsync(db, $"SELECT hcp_id, sum(y_treated - y_control) FROM hcp.intervention_truth WHERE intervention_id = '{id}' AND outcome = 'email_open' GROUP BY hcp_id",
            r => string.Create(CultureInfo.InvariantCulture, $"{{\"hcpId\": \"{r.GetGuid(0)}\", \"effect\": {r.GetDouble(1):R}}}"));
        var perfect = await Http.OkJsonAsync(await admin.PostAsync($"/api/admin/interventions/{id}/score",
            Http.Json($"{{\"outcome\": \"email_open\", \"modelType\": \"truth_copy\", \"estimates\": {{\"perHcp\": [{string.Join(", ", truth)}]}}}}")));
        Assert.Equal(0, perfect.GetProperty("pehe").GetDouble(), 9);
        Assert.Equal(0, perfect.GetProperty("bias").GetDouble(), 9);
        Assert.Equal(1, perfect.GetProperty("qini").GetDouble(), 9);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM hcp.uplift_models WHERE intervention_id = '{id}' AND model_type = 'truth_copy' AND outcome = 'email_open'"));

        // One ATE as CSV, outcome and model in the query.
        var csv = new StringContent("ate,lower,upper\n0.5,0.25,0.75\n", Encoding.UTF8, "text/csv");
        var guess = await Http.OkJsonAsync(await admin.PostAsync($"/api/admin/interventions/{id}/score?outcome=email_open&modelType=guess", csv));
        Assert.Equal(0.5, guess.GetProperty("estimatedAte").GetDouble());
        Assert.Equal(0.5 - outcomes["email_open"].GetProperty("ate").GetDouble(), guess.GetProperty("bias").GetDouble(), 9);

        // Bad scoring input: 400 naming the field.
        Assert.Contains("allowed: ", await (await admin.PostAsync($"/api/admin/interventions/{id}/score",
            Http.Json("""{"outcome": "applause", "estimates": {"ate": 1}}"""))).FieldErrorAsync("outcome"));
        Assert.Contains("line 2: effect 'lots' is not a number", await (await admin.PostAsync($"/api/admin/interventions/{id}/score?outcome=email_open",
            new StringContent($"hcp_id,effect\n{Guid.NewGuid()},lots\n", Encoding.UTF8, "text/csv"))).FieldErrorAsync("estimates"));
        Assert.Contains("estimates needs perHcp", await (await admin.PostAsync($"/api/admin/interventions/{id}/score",
            Http.Json("""{"outcome": "email_open"}"""))).FieldErrorAsync("estimates"));
        var outsider = await Sql.ScalarAsync<Guid>(db, "SELECT id FROM hcp.hcp_profiles WHERE tier = 'Tier 3' LIMIT 1");
        await (await admin.PostAsync($"/api/admin/interventions/{id}/score",
            Http.Json($"{{\"outcome\": \"email_open\", \"estimates\": {{\"perHcp\": [{{\"hcpId\": \"{outsider}\", \"effect\": 1}}]}}}}"))).FieldErrorAsync("estimates");
    }
}
