using System.Net;
using System.Text.Json;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>Generation control: desired state in platform.simulation_state, NOTIFY for the worker, status, config, validation messages.</summary>
[Collection(AdminApiGroup.Name)]
public sealed class GenerationTests(AdminApiFixture fixture)
{
    private HttpClient Admin() => fixture.Shared.Client(fixture.Keys.Admin);

    [Fact]
    public async Task Start_pause_and_stop_write_the_desired_state_and_notify_the_worker()
    {
        await using var listener = new NpgsqlConnection(fixture.SharedConnectionString);
        await listener.OpenAsync();
        var notifications = new List<string>();
        listener.Notification += (_, e) => notifications.Add(e.Channel);
        await using (var listen = new NpgsqlCommand("LISTEN hcp_simulation_state", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        // Each call must deliver its own notification: the count, not just "something arrived", is awaited.
        async Task NotifiedAsync(int count, string after) => await Poll.UntilAsync(async () =>
        {
            await listener.WaitAsync(Poll.Interval);
            return notifications.Count >= count;
        }, $"notification {count} (after {after})", TimeSpan.FromSeconds(10));
        using var client = Admin();

        var started = await (await client.PostAsync("/api/admin/generation/start", Http.Json("""{"secondsPerSimulatedDay": 1.5}"""))).OkJsonAsync();
        Assert.Equal("running", started.GetProperty("desiredMode").GetString());
        Assert.Equal(1.5, started.GetProperty("secondsPerSimulatedDay").GetDouble());
        await NotifiedAsync(1, "start");
        Assert.Equal(("running", 1.5), await DesiredAsync());

        // Without a body the speed stays.
        await (await client.PostAsync("/api/admin/generation/pause", null)).OkJsonAsync();
        await NotifiedAsync(2, "pause");
        Assert.Equal(("paused", 1.5), await DesiredAsync());
        await (await client.PostAsync("/api/admin/generation/start", null)).OkJsonAsync();
        await NotifiedAsync(3, "the second start");
        Assert.Equal(("running", 1.5), await DesiredAsync());

        var stopped = await (await client.PostAsync("/api/admin/generation/stop", null)).OkJsonAsync();
        Assert.Equal("stopped", stopped.GetProperty("desiredMode").GetString());
        await NotifiedAsync(4, "stop");
        Assert.Equal(("stopped", 1.5), await DesiredAsync());
        Assert.Equal(4, notifications.Count);
        Assert.All(notifications, c => Assert.Equal("hcp_simulation_state", c));
    }

    [Fact]
    public async Task Start_names_the_bad_speed_and_the_allowed_range()
    {
        using var client = Admin();
        foreach (var speed in new[] { "0", "-1", "86401", "0.01" })
        {
            var message = await (await client.PostAsync("/api/admin/generation/start", Http.Json($$"""{"secondsPerSimulatedDay": {{speed}}}""")))
                .FieldErrorAsync("secondsPerSimulatedDay");
            Assert.Contains("allowed: 0.1 to 86400", message);
        }
        var wrongType = await (await client.PostAsync("/api/admin/generation/start", Http.Json("""{"secondsPerSimulatedDay": "fast"}""")))
            .FieldErrorAsync("secondsPerSimulatedDay");
        Assert.Contains("must be a number", wrongType);
        var unknown = await (await client.PostAsync("/api/admin/generation/start", Http.Json("""{"speed": 2}"""))).FieldErrorAsync("speed");
        Assert.Contains("not a field", unknown);
        await (await client.PostAsync("/api/admin/generation/start", Http.Json("{not json"))).FieldErrorAsync("body");

        // Strict JSON: a number in a string, or a literal null body, is refused and starts nothing.
        var before = await DesiredAsync();
        Assert.Contains("must be a number", await (await client.PostAsync("/api/admin/generation/start", Http.Json("""{"secondsPerSimulatedDay":"2"}""")))
            .FieldErrorAsync("secondsPerSimulatedDay"));
        Assert.Contains("JSON object", await (await client.PostAsync("/api/admin/generation/start", Http.Json("null"))).FieldErrorAsync("body"));
        Assert.Equal(before, await DesiredAsync());
    }

    [Fact]
    public async Task Status_reports_modes_dataset_lag_last_run_and_throughput()
    {
        using var client = fixture.Shared.Client(fixture.Keys.Read);
        var s = await (await client.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        Assert.Contains(s.GetProperty("desiredMode").GetString(), new[] { "running", "paused", "stopped" });
        Assert.Equal(AdminApiFixture.AsOf.ToString("yyyy-MM-dd"), s.GetProperty("simulatedThrough").GetString());
        Assert.Equal(AdminApiFixture.Hcps, s.GetProperty("dataset").GetProperty("hcps").GetInt32());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.InRange(s.GetProperty("lagDays").GetInt32(), today.DayNumber - AdminApiFixture.AsOf.DayNumber - 1, today.DayNumber - AdminApiFixture.AsOf.DayNumber + 1);
        var lastRun = s.GetProperty("lastRun");
        Assert.Equal("backfill", lastRun.GetProperty("kind").GetString());
        Assert.Equal("succeeded", lastRun.GetProperty("status").GetString());
        Assert.True(lastRun.GetProperty("rows").GetInt64() > 10_000);
        Assert.False(s.GetProperty("worker").GetProperty("alive").GetBoolean());
        Assert.Equal(0, s.GetProperty("recentRowsPerSecond").GetDouble());
    }

    [Fact]
    public async Task Config_round_trips_and_reaches_the_worker_in_its_shape()
    {
        using var client = Admin();
        var body = """
            {
              "scenario": "analytics",
              "secondsPerSimulatedDay": null,
              "schedule": { "cron": "0 30 3 * * ?", "timeZone": "America/New_York" },
              "events": [
                { "type": "product_launch", "start": "2026-04-10", "end": "2026-05-31", "magnitude": 1.5, "product": "Velantrix" },
                { "type": "email_fatigue", "start": "2026-03-01", "magnitude": 0.4 }
              ]
            }
            """;
        var saved = await (await client.PutAsync("/api/admin/generation/config", Http.Json(body))).OkJsonAsync();
        Assert.Equal("analytics", saved.GetProperty("scenario").GetString());
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("secondsPerSimulatedDay").ValueKind);
        Assert.Equal("0 30 3 * * ?", saved.GetProperty("schedule").GetProperty("cron").GetString());
        Assert.Equal(2, saved.GetProperty("events").GetArrayLength());
        // The fatigue event starts inside simulated days: the note says it will start on the first open day.
        Assert.Contains(saved.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("2026-04-01", StringComparison.Ordinal));

        var read = await (await fixture.Shared.Client(fixture.Keys.Read).GetAsync("/api/admin/generation/config")).OkJsonAsync();
        Assert.Equal(saved.GetProperty("events").ToString(), read.GetProperty("events").ToString());

        // The worker reads {"schedule": {"cron", "timeZone"}, "events": [{type, start, end, magnitude, channel, product}]}.
        await using var connection = new NpgsqlConnection(fixture.SharedConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT scenario, seconds_per_simulated_day, config::text FROM platform.simulation_state WHERE id = 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("analytics", reader.GetString(0));
        Assert.True(reader.IsDBNull(1));
        using var config = JsonDocument.Parse(reader.GetString(2));
        Assert.Equal("America/New_York", config.RootElement.GetProperty("schedule").GetProperty("timeZone").GetString());
        var launch = config.RootElement.GetProperty("events")[0];
        Assert.Equal("product_launch", launch.GetProperty("type").GetString());
        Assert.Equal("2026-04-10", launch.GetProperty("start").GetString());
        Assert.Equal(1.5, launch.GetProperty("magnitude").GetDouble());

        // Back to the defaults (no events key: the dataset keeps its own).
        var reset = await (await client.PutAsync("/api/admin/generation/config", Http.Json("""{"scenario":"development"}"""))).OkJsonAsync();
        Assert.Equal("0 0 2 * * ?", reset.GetProperty("schedule").GetProperty("cron").GetString());
        Assert.Equal(0, reset.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Config_names_every_bad_field_and_what_is_allowed()
    {
        using var client = Admin();
        var bad = await client.PutAsync("/api/admin/generation/config", Http.Json("""
            {
              "scenario": "huge",
              "secondsPerSimulatedDay": 0,
              "schedule": { "cron": "every night", "timeZone": "Mars/Olympus" },
              "events": [ { "type": "meteor", "start": "2026-05-01", "magnitude": 1 } ]
            }
            """));
        var problem = await bad.ProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Contains("allowed: demo, development, analytics, load_test", errors.GetProperty("scenario")[0].GetString());
        Assert.Contains("0.1 to 86400", errors.GetProperty("secondsPerSimulatedDay")[0].GetString());
        Assert.Contains("Quartz cron", errors.GetProperty("schedule.cron")[0].GetString());
        Assert.Contains("time zone", errors.GetProperty("schedule.timeZone")[0].GetString());
        Assert.Contains("product_launch, email_fatigue, territory_change, seasonal_dip", errors.GetProperty("events")[0].GetString());

        Assert.Contains("Magnitude", await (await client.PutAsync("/api/admin/generation/config", Http.Json("""
            {"scenario":"demo","events":[{"type":"seasonal_dip","start":"2026-07-01","magnitude":3}]}
            """))).FieldErrorAsync("events"));
        Assert.Contains("needs type", await (await client.PutAsync("/api/admin/generation/config", Http.Json("""
            {"scenario":"demo","events":[{"type":"seasonal_dip"}]}
            """))).FieldErrorAsync("events[0]"));
        Assert.Contains("YYYY-MM-DD", await (await client.PutAsync("/api/admin/generation/config", Http.Json("""
            {"scenario":"demo","events":[{"type":"seasonal_dip","start":"July","magnitude":0.5}]}
            """))).FieldErrorAsync("events[0].start"));
        Assert.Contains("JSON body", (await (await client.PutAsync("/api/admin/generation/config", null)).ProblemAsync(HttpStatusCode.BadRequest))
            .GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("0 0 2 * * ? 2020", "never fires")] // a year in the past
    [InlineData("0 0 0 30 2 ?", "never fires")] // 30 February
    [InlineData("* * * * * ?", "more than once a minute")]
    [InlineData("0/10 0 2 * * ?", "more than once a minute")]
    public async Task Config_refuses_a_cron_the_worker_could_not_use(string cron, string reason)
    {
        using var client = Admin();
        var before = await DesiredConfigAsync();
        var message = await (await client.PutAsync("/api/admin/generation/config",
            Http.Json($$$"""{"scenario":"demo","schedule":{"cron":"{{{cron}}}","timeZone":"UTC"}}"""))).FieldErrorAsync("schedule.cron");
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains("0 0 2 * * ?", message, StringComparison.Ordinal); // what is allowed
        Assert.Equal(before, await DesiredConfigAsync());
    }

    [Fact]
    public async Task Config_refuses_an_over_long_cron_without_echoing_it_whole()
    {
        using var client = Admin();
        var cron = "0 0 2 * * ?" + new string(' ', 10_000) + "x";
        var response = await client.PutAsync("/api/admin/generation/config", Http.Json($$$"""{"scenario":"demo","schedule":{"cron":"{{{cron}}}","timeZone":"UTC"}}"""));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 120", body, StringComparison.Ordinal);
        Assert.True(body.Length < 2_000, $"the response echoes the input: {body.Length} characters");
    }

    [Fact]
    public async Task Request_bodies_over_the_limit_get_413_and_wrong_media_types_415()
    {
        using var client = Admin();
        var huge = """{"scenario":"demo","events":[""" + string.Join(",", Enumerable.Repeat("""{"type":"seasonal_dip","start":"2026-07-01","magnitude":0.5}""", 1500)) + "]}";
        Assert.True(huge.Length > 64 * 1024);
        await (await client.PutAsync("/api/admin/generation/config", Http.Json(huge))).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        var text = new StringContent("scenario=demo", System.Text.Encoding.UTF8, "text/plain");
        await (await client.PutAsync("/api/admin/generation/config", text)).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Unknown_routes_get_404_problem_details()
    {
        using var client = Admin();
        await (await client.GetAsync("/api/admin/nothing-here")).ProblemAsync(HttpStatusCode.NotFound);
    }

    private async Task<string> DesiredConfigAsync() =>
        await Sql.ScalarAsync<string>(fixture.SharedConnectionString, "SELECT config::text FROM platform.simulation_state WHERE id = 1");

    private async Task<(string Mode, double? Speed)> DesiredAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.SharedConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT desired_mode, seconds_per_simulated_day FROM platform.simulation_state WHERE id = 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetDouble(1));
    }
}
