using System.Net;
using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>Data, lineage and validation endpoints against the shared dataset, checked against SQL on the same database.</summary>
[Collection(AdminApiGroup.Name)]
public sealed class DataTests(AdminApiFixture fixture)
{
    private HttpClient Reader() => fixture.Shared.Client(fixture.Keys.Read);

    [Fact]
    public async Task Counts_are_estimates_labelled_as_such_and_exact_after_a_backfill()
    {
        var c = await (await Reader().GetAsync("/api/admin/data/counts")).OkJsonAsync();
        Assert.Equal("estimate", c.GetProperty("source").GetString());
        var tables = c.GetProperty("tables");
        Assert.Equal(11, tables.EnumerateObject().Count());
        // Every backfill ends with a VACUUM (ANALYZE) of each table: the catalog's counts are then exact.
        foreach (var table in tables.EnumerateObject())
        {
            Assert.Equal(await ScalarAsync($"SELECT count(*) FROM hcp.{table.Name}"), table.Value.GetInt64());
        }
        Assert.Equal(AdminApiFixture.Hcps, tables.GetProperty("hcp_profiles").GetInt64());
        Assert.Equal(tables.EnumerateObject().Sum(t => t.Value.GetInt64()), c.GetProperty("total").GetInt64());
        Assert.Equal("2026-03-31", c.GetProperty("simulatedThrough").GetString());
    }

    /// <summary>
    /// Counts read statistics, not tables: many requests scan no dataset table (the server's own scan counters, flushed
    /// when the API's sessions end, do not move; dataset_info, one row, is read for the watermark).
    /// </summary>
    [Fact]
    public async Task Counts_read_no_dataset_table()
    {
        var db = await fixture.CloneAsync();
        const string Scans = """
            SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::bigint FROM pg_stat_user_tables
            WHERE schemaname = 'hcp' AND relname <> 'dataset_info'
            """;
        var before = await Sql.ScalarAsync<long>(db, Scans);
        await using (var api = new ApiHost(db))
        {
            api.StartServer();
            using var client = api.Client(fixture.Keys.Read);
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/data/counts")).StatusCode);
            }
        }
        // A session reports its statistics when it ends at the latest: wait until the API's sessions are gone.
        await Poll.UntilAsync(async () => await Sql.ScalarAsync<long>(db,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0, "the API's sessions closed", TimeSpan.FromSeconds(30));
        Assert.Equal(before, await Sql.ScalarAsync<long>(db, Scans));
    }

    [Fact]
    public async Task Daily_series_defaults_to_the_last_90_simulated_days_and_adds_up()
    {
        var d = await (await Reader().GetAsync("/api/admin/data/series/daily")).OkJsonAsync();
        var points = d.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(90, points.Count); // Jan + Feb + Mar 2026: the whole window
        Assert.Equal("2026-01-01", d.GetProperty("from").GetString());
        Assert.Equal("2026-03-31", points[^1].GetProperty("day").GetString());
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM hcp.stimuli_events"), points.Sum(p => p.GetProperty("stimuli").GetInt64()));

        var week = await (await Reader().GetAsync("/api/admin/data/series/daily?from=2026-03-02&to=2026-03-08")).OkJsonAsync();
        Assert.Equal(7, week.GetProperty("points").GetArrayLength());
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM hcp.outcome_events WHERE event_date >= '2026-03-02' AND event_date < '2026-03-09'"),
            week.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("outcomes").GetInt64()));
    }

    [Fact]
    public async Task Series_name_bad_dates_and_ranges()
    {
        using var client = Reader();
        Assert.Contains("YYYY-MM-DD", await (await client.GetAsync("/api/admin/data/series/daily?from=2026-02-30")).FieldErrorAsync("from"));
        Assert.Contains("YYYY-MM-DD", await (await client.GetAsync("/api/admin/data/series/channels?to=yesterday")).FieldErrorAsync("to"));
        // Dates at the ends of the calendar are range-checked, not a 500 from date arithmetic.
        Assert.Contains("2001-01-01 to 2099-12-31", await (await client.GetAsync("/api/admin/data/series/daily?to=0001-01-01")).FieldErrorAsync("to"));
        Assert.Contains("2001-01-01 to 2099-12-31", await (await client.GetAsync("/api/admin/data/series/channels?to=0001-01-01")).FieldErrorAsync("to"));
        Assert.Contains("2001-01-01 to 2099-12-31", await (await client.GetAsync("/api/admin/data/series/daily?from=9999-12-31")).FieldErrorAsync("from"));
        Assert.Contains("is after", await (await client.GetAsync("/api/admin/data/series/daily?from=2026-03-10&to=2026-03-01")).FieldErrorAsync("from"));
        Assert.Contains("more than 3660 days", await (await client.GetAsync("/api/admin/data/series/daily?from=2001-01-01&to=2026-03-01")).FieldErrorAsync("from"));
        Assert.Contains("1 to 520", await (await client.GetAsync("/api/admin/data/series/response-rate?weeks=0")).FieldErrorAsync("weeks"));
        var problem = await (await client.GetAsync("/api/admin/data/series/response-rate?weeks=many")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("weeks", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Channels_and_weekly_response_rates_match_the_events()
    {
        var ch = await (await Reader().GetAsync("/api/admin/data/series/channels")).OkJsonAsync();
        var channels = ch.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(6, channels.Count);
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM hcp.stimuli_events"), channels.Sum(c => c.GetProperty("stimuli").GetInt64()));
        var email = channels.Single(c => c.GetProperty("channel").GetString() == "email");
        Assert.InRange(email.GetProperty("responseRate").GetDouble(), 0.05, 0.9);
        Assert.Equal(
            await ScalarAsync("SELECT count(*) FROM hcp.stimuli_events s WHERE s.channel = 'email' AND EXISTS (SELECT 1 FROM hcp.outcome_events o WHERE o.stimulus_id = s.id)"),
            email.GetProperty("respondedStimuli").GetInt64());

        var w = await (await Reader().GetAsync("/api/admin/data/series/response-rate?weeks=4")).OkJsonAsync();
        var weeks = w.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"], weeks.Select(p => p.GetProperty("weekStart").GetString()));
        Assert.All(weeks, p => Assert.InRange(p.GetProperty("responseRate").GetDouble(), 0, 1));
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM hcp.stimuli_events WHERE event_date >= '2026-03-16' AND event_date < '2026-03-23'"),
            weeks[1].GetProperty("stimuli").GetInt64());
        var all = await (await Reader().GetAsync("/api/admin/data/series/response-rate")).OkJsonAsync();
        Assert.Equal("2026-01-01", all.GetProperty("from").GetString()); // 26 weeks reach back past the window start
    }

    [Fact]
    public async Task An_hcp_by_npi_has_profile_territory_and_timeline_else_400_or_404()
    {
        using var client = Reader();
        var hcp = await (await client.GetAsync($"/api/admin/data/hcps/{fixture.KnownNpi}")).OkJsonAsync();
        Assert.Equal(fixture.KnownNpi, hcp.GetProperty("profile").GetProperty("npi").GetString());
        Assert.False(string.IsNullOrEmpty(hcp.GetProperty("territory").GetString()));
        var events = hcp.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "touch");
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "rx");

        Assert.Contains("Luhn", await (await client.GetAsync("/api/admin/data/hcps/1234567890")).FieldErrorAsync("npi"));
        Assert.Contains("Luhn", await (await client.GetAsync("/api/admin/data/hcps/abc")).FieldErrorAsync("npi"));
        var missing = await (await client.GetAsync($"/api/admin/data/hcps/{fixture.UnknownNpi}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains(fixture.UnknownNpi, missing.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Campaigns_and_ground_truth_list_the_dataset_rows()
    {
        using var client = Reader();
        var campaigns = await (await client.GetAsync("/api/admin/data/campaigns")).OkJsonAsync();
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM hcp.campaigns"), campaigns.GetArrayLength());
        Assert.Equal(JsonValueKind.Array, campaigns[0].GetProperty("channels").ValueKind);
        var active = await (await client.GetAsync("/api/admin/data/campaigns?status=active")).OkJsonAsync();
        Assert.All(active.EnumerateArray(), c => Assert.Equal("active", c.GetProperty("status").GetString()));
        Assert.Contains("planned, active, completed", await (await client.GetAsync("/api/admin/data/campaigns?status=done")).FieldErrorAsync("status"));

        var truth = await (await client.GetAsync("/api/admin/data/ground-truth")).OkJsonAsync();
        Assert.Equal(await ScalarAsync("SELECT count(*) FROM hcp.ground_truth"), truth.GetArrayLength());
        var parameter = truth[0].GetProperty("parameter").GetString();
        var one = await (await client.GetAsync($"/api/admin/data/ground-truth?parameter={parameter}")).OkJsonAsync();
        Assert.All(one.EnumerateArray(), g => Assert.Equal(parameter, g.GetProperty("parameter").GetString()));
    }

    [Fact]
    public async Task Lineage_lists_runs_and_shows_one_by_id()
    {
        using var client = Reader();
        var runs = await (await client.GetAsync("/api/admin/runs?kind=backfill&limit=5")).OkJsonAsync();
        var backfill = runs.EnumerateArray().First();
        Assert.Equal("succeeded", backfill.GetProperty("status").GetString());
        Assert.Equal(AdminApiFixture.Hcps, backfill.GetProperty("parameters").GetProperty("hcps").GetInt32());
        Assert.Equal(AdminApiFixture.Hcps, backfill.GetProperty("counts").GetProperty("hcp_profiles").GetInt64());
        Assert.True(backfill.GetProperty("stageDurations").EnumerateObject().Any());
        Assert.Equal("passed", backfill.GetProperty("verdict").GetString());

        var id = backfill.GetProperty("id").GetString();
        var one = await (await client.GetAsync($"/api/admin/runs/{id}")).OkJsonAsync();
        Assert.Equal(backfill.GetProperty("checksums").ToString(), one.GetProperty("checksums").ToString());
        await (await client.GetAsync($"/api/admin/runs/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/api/admin/runs/not-a-guid")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("1 to 500", await (await client.GetAsync("/api/admin/runs?limit=0")).FieldErrorAsync("limit"));
        Assert.Contains("backfill", await (await client.GetAsync("/api/admin/runs?kind=Backfill;DROP")).FieldErrorAsync("kind"));
        Assert.Contains("succeeded", await (await client.GetAsync("/api/admin/runs?status=ok")).FieldErrorAsync("status"));
    }

    [Fact]
    public async Task Validation_runs_on_demand_then_latest_by_id_and_history_show_it()
    {
        var dbName = await fixture.CloneAsync();
        var host = fixture.StartHost(dbName);
        using var reader = host.Client(fixture.Keys.Read);
        using var admin = host.Client(fixture.Keys.Admin);
        var none = await (await reader.GetAsync("/api/admin/validation/latest")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("No validation", none.GetProperty("detail").GetString());
        Assert.Equal(0, (await (await reader.GetAsync("/api/admin/validation/history")).OkJsonAsync()).GetArrayLength());

        var created = await admin.PostAsync("/api/admin/validation/run", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var run = await created.OkJsonAsync();
        var id = run.GetProperty("id").GetString();
        Assert.Equal($"/api/admin/validation/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal("api", run.GetProperty("trigger").GetString());
        Assert.True(run.GetProperty("checksTotal").GetInt32() > 10);
        Assert.Equal(run.GetProperty("checksTotal").GetInt32(), run.GetProperty("checks").GetArrayLength());

        var latest = await (await reader.GetAsync("/api/admin/validation/latest")).OkJsonAsync();
        Assert.Equal(id, latest.GetProperty("id").GetString());
        var byId = await (await reader.GetAsync($"/api/admin/validation/{id}")).OkJsonAsync();
        Assert.Equal(run.GetProperty("passed").GetBoolean(), byId.GetProperty("passed").GetBoolean());
        var history = await (await reader.GetAsync("/api/admin/validation/history?limit=5")).OkJsonAsync();
        Assert.Equal(id, history[0].GetProperty("id").GetString());
        Assert.False(history[0].TryGetProperty("checks", out _));
        await (await reader.GetAsync($"/api/admin/validation/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("1 to 500", await (await reader.GetAsync("/api/admin/validation/history?limit=501")).FieldErrorAsync("limit"));
    }

    private Task<long> ScalarAsync(string sql) => Sql.ScalarAsync<long>(fixture.SharedConnectionString, sql);
}
