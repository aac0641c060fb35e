using System.Net;
using System.Text.Json;
using HcpPlatform.Data.Loading;
using HcpPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>
/// Destructive calls on a database of their own: regenerate (background backfill, confirmation, run id to poll,
/// busy while running) and erase (confirmation, 404 for an unknown NPI); and what an empty platform answers.
/// </summary>
[Collection(AdminApiGroup.Name)]
public sealed class RegenerateTests(AdminApiFixture fixture)
{
    [Fact]
    public async Task An_empty_platform_answers_with_empty_data_and_409_for_what_needs_a_dataset()
    {
        // A service run on its own migrates the database at start.
        var host = fixture.StartHost(await fixture.Postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "true" });
        using var bootstrapFree = host.Client();
        // No keys exist in a fresh database: everything is 401, and a created key works at once.
        await (await bootstrapFree.GetAsync("/api/admin/generation/status")).ProblemAsync(HttpStatusCode.Unauthorized);
        var key = await CreateKeyAsync(host, "admin");
        using var client = host.Client(key);

        var status = await (await client.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("dataset").ValueKind);
        Assert.Equal("stopped", status.GetProperty("mode").GetString());
        var counts = await (await client.GetAsync("/api/admin/data/counts")).OkJsonAsync();
        Assert.Equal(0, counts.GetProperty("total").GetInt64());
        Assert.Equal(0, (await (await client.GetAsync("/api/admin/data/series/daily")).OkJsonAsync()).GetProperty("points").GetArrayLength());
        Assert.Equal(0, (await (await client.GetAsync("/api/admin/data/series/response-rate")).OkJsonAsync()).GetProperty("points").GetArrayLength());
        Assert.Contains("backfill", (await (await client.PostAsync("/api/admin/generation/start", null)).ProblemAsync(HttpStatusCode.Conflict))
            .GetProperty("detail").GetString());
        await (await client.PostAsync("/api/admin/validation/run", null)).ProblemAsync(HttpStatusCode.Conflict);
        await (await client.GetAsync($"/api/admin/data/hcps/{fixture.KnownNpi}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Regenerate_needs_confirmation_and_valid_parameters()
    {
        using var client = fixture.Shared.Client(fixture.Keys.Admin);
        async Task<string> Error(string body, string field) =>
            await (await client.PostAsync("/api/admin/generation/backfill", Http.Json(body))).FieldErrorAsync(field);

        Assert.Contains("\"confirm\": \"REGENERATE\"", await Error("""{"scenario":"demo"}""", "confirm"));
        Assert.Contains("got \"yes\"", await Error("""{"scenario":"demo","confirm":"yes"}""", "confirm"));
        Assert.Contains("got \"regenerate\"", await Error("""{"scenario":"demo","confirm":"regenerate"}""", "confirm"));
        Assert.Contains("allowed: demo, development, analytics, load_test", await Error("""{"scenario":"big","confirm":"REGENERATE"}""", "scenario"));
        Assert.Contains("1 to 1,000,000", await Error("""{"hcps":0,"confirm":"REGENERATE"}""", "hcps"));
        Assert.Contains("1 to 120", await Error("""{"months":121,"confirm":"REGENERATE"}""", "months"));
        Assert.Contains("non-negative", await Error("""{"seed":-1,"confirm":"REGENERATE"}""", "seed"));
        Assert.Contains("YYYY-MM-DD", await Error("""{"asOf":"2026-02-30","confirm":"REGENERATE"}""", "asOf"));
        Assert.Contains("2001-01-01 to 2099-12-31", await Error("""{"asOf":"1999-12-31","confirm":"REGENERATE"}""", "asOf"));
        Assert.Contains("would start on 1999-01-02", await Error("""{"asOf":"2001-01-01","months":24,"confirm":"REGENERATE"}""", "months"));
        // A future as-of is refused (accelerated play is how simulated days run ahead of the calendar).
        var tomorrow = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("is in the future", await Error($$"""{"asOf":"{{tomorrow}}","confirm":"REGENERATE"}""", "asOf"));
        Assert.Contains("whole number", await Error("""{"hcps":"many","confirm":"REGENERATE"}""", "hcps"));
        Assert.Contains("not a field", await Error("""{"hcp":200,"confirm":"REGENERATE"}""", "hcp"));
        // Nothing ran.
        var runs = await (await client.GetAsync("/api/admin/runs?kind=backfill")).OkJsonAsync();
        Assert.Equal(1, runs.GetArrayLength());
    }

    [Fact]
    public async Task Regenerate_runs_in_the_background_and_reports_through_lineage_then_erase_removes_one_hcp()
    {
        var connectionString = await fixture.CloneAsync();
        var host = fixture.StartHost(connectionString);
        using var client = host.Client(fixture.Keys.Admin);

        var response = await client.PostAsync("/api/admin/generation/backfill", Http.Json("""
            {"hcps": 2000, "months": 3, "seed": 7, "asOf": "2026-04-30", "confirm": "REGENERATE"}
            """));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.OkJsonAsync();
        var runId = accepted.GetProperty("runId").GetString();
        Assert.Equal($"/api/admin/runs/{runId}", response.Headers.Location!.OriginalString);
        Assert.Equal("running", accepted.GetProperty("status").GetString());

        // A second regenerate while the first runs is refused.
        var busy = await (await client.PostAsync("/api/admin/generation/backfill", Http.Json("""{"scenario":"demo","confirm":"REGENERATE"}""")))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("generating", busy.GetProperty("detail").GetString() + busy.GetProperty("title").GetString());

        System.Text.Json.JsonElement run = default;
        await Poll.UntilAsync(async () =>
        {
            run = await (await client.GetAsync($"/api/admin/runs/{runId}")).OkJsonAsync();
            return run.GetProperty("status").GetString() != "running";
        }, "the regeneration to finish", TimeSpan.FromMinutes(2));
        Assert.True(run.GetProperty("status").GetString() == "succeeded", run.ToString());
        Assert.Equal(7, run.GetProperty("parameters").GetProperty("seed").GetInt64());
        Assert.True(run.GetProperty("durationMs").GetInt64() > 0);

        var status = await (await client.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        Assert.Equal("2026-04-30", status.GetProperty("simulatedThrough").GetString());
        Assert.Equal(7, status.GetProperty("dataset").GetProperty("seed").GetInt64());

        // Erase: confirmation, then the HCP and every row about them are gone; a second erase finds nothing.
        var npi = await Sql.ScalarAsync<string>(connectionString, "SELECT npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1 OFFSET 5");
        Assert.Contains("\"confirm\": \"ERASE\"", await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("{}"))).FieldErrorAsync("confirm"));
        Assert.Contains("gdpr, ccpa, hipaa", await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase",
            Http.Json("""{"confirm":"ERASE","regulation":"popia"}"""))).FieldErrorAsync("regulation"));
        Assert.Contains("Luhn", await (await client.PostAsync("/api/admin/data/hcps/123/erase", Http.Json("""{"confirm":"ERASE"}"""))).FieldErrorAsync("npi"));
        var erased = await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("""{"confirm":"ERASE","regulation":"gdpr"}"""))).OkJsonAsync();
        Assert.Equal(1, erased.GetProperty("deleted").GetProperty("hcp_profiles").GetInt64());
        Assert.True(erased.GetProperty("deleted").GetProperty("stimuli_events").GetInt64() > 0);
        await (await client.GetAsync($"/api/admin/data/hcps/{npi}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("""{"confirm":"ERASE"}"""))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("0", await Sql.ScalarAsync<string>(connectionString, $"SELECT count(*)::text FROM hcp.stimuli_events s JOIN hcp.hcp_profiles p ON p.id = s.hcp_id WHERE p.npi = '{npi}'"));
        var kinds = await (await client.GetAsync("/api/admin/runs?kind=erasure")).OkJsonAsync();
        Assert.Equal(1, kinds.GetArrayLength());
    }

    [Fact]
    public async Task A_regeneration_that_fails_is_reported_failed_and_leaves_the_dataset_as_it_was()
    {
        var connectionString = await fixture.CloneAsync();
        var host = fixture.StartHost(connectionString);
        using var client = host.Client(fixture.Keys.Admin);
        var before = await DatasetProbe.FingerprintAsync(connectionString);
        // The run fails once its rows are loaded (the test seam; a full disk or a lost connection would look the same).
        Backfill.PausePoint = (stage, _) => stage == "aggregate_and_index" ? throw new InvalidOperationException("injected failure at aggregate_and_index") : Task.CompletedTask;
        JsonElement run;
        try
        {
            var response = await client.PostAsync("/api/admin/generation/backfill", Http.Json("""
                {"hcps": 300, "months": 2, "seed": 9, "asOf": "2026-04-30", "confirm": "REGENERATE"}
                """));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var runId = (await response.OkJsonAsync()).GetProperty("runId").GetString();
            run = await RunWhenDoneAsync(client, runId);
        }
        finally
        {
            Backfill.PausePoint = null;
        }
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("injected failure at aggregate_and_index", run.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(connectionString));
        Assert.Equal(0, await DatasetProbe.BuildSchemasAsync(connectionString));
        var status = await (await client.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        Assert.Equal(42, status.GetProperty("dataset").GetProperty("seed").GetInt64());
        // The service stays usable: the next regeneration starts and succeeds.
        var next = await client.PostAsync("/api/admin/generation/backfill", Http.Json("""
            {"hcps": 300, "months": 1, "seed": 9, "asOf": "2026-04-30", "confirm": "REGENERATE"}
            """));
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        var nextRun = await RunWhenDoneAsync(client, (await next.OkJsonAsync()).GetProperty("runId").GetString());
        Assert.Equal("succeeded", nextRun.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_hcp_erased_through_the_api_stays_erased_through_regeneration_the_worker_and_exports()
    {
        var connectionString = await fixture.CloneAsync();
        var host = fixture.StartHost(connectionString);
        using var client = host.Client(fixture.Keys.Admin);
        var npi = await Sql.ScalarAsync<string>(connectionString,
            "SELECT npi FROM hcp.hcp_profiles p WHERE EXISTS (SELECT 1 FROM hcp.stimuli_events s WHERE s.hcp_id = p.id) ORDER BY hcp_index LIMIT 1 OFFSET 3");
        var id = await Sql.ScalarAsync<Guid>(connectionString, $"SELECT id FROM hcp.hcp_profiles WHERE npi = '{npi}'");
        await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("""{"confirm":"ERASE"}"""))).OkJsonAsync();

        // Regenerate the same population: the HCP would come back in its slot, but erased stays erased.
        var accepted = await (await client.PostAsync("/api/admin/generation/backfill", Http.Json($$"""
            {"hcps": {{AdminApiFixture.Hcps}}, "months": {{AdminApiFixture.Months}}, "seed": 42, "asOf": "2026-03-31", "confirm": "REGENERATE"}
            """))).OkJsonAsync();
        Assert.Equal("succeeded", (await RunWhenDoneAsync(client, accepted.GetProperty("runId").GetString())).GetProperty("status").GetString());
        Assert.Equal(AdminApiFixture.Hcps - 1, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM hcp.hcp_profiles"));

        // The generator worker appends days on its own: none of them about the erased HCP.
        await using var worker = GeneratorWorker.Start(connectionString, "erasure-test-worker");
        await (await client.PostAsync("/api/admin/generation/start", Http.Json("""{"secondsPerSimulatedDay": 0.2}"""))).OkJsonAsync();
        await Poll.UntilAsync(async () => await Sql.ScalarAsync<DateOnly>(connectionString, "SELECT simulated_through FROM hcp.dataset_info") >= new DateOnly(2026, 4, 3),
            "three days appended by the worker", TimeSpan.FromMinutes(1));
        await (await client.PostAsync("/api/admin/generation/stop", null)).OkJsonAsync();
        await Poll.UntilAsync(async () => await Sql.ScalarAsync<string>(connectionString, "SELECT observed_mode FROM platform.simulation_state") == "stopped",
            "the worker to stop", TimeSpan.FromMinutes(1));
        await worker.Host.StopAsync();

        var tables = string.Join(" UNION ALL ", new[] { "stimuli_events", "outcome_events", "prescribing_history", "territory_assignments", "campaign_participation", "hcp_contact_limits" }
            .Select(t => $"SELECT count(*) FROM hcp.{t} WHERE hcp_id = '{id}'"));
        Assert.Equal(0, await Sql.ScalarAsync<long>(connectionString, $"SELECT sum(count) FROM ({tables}) x"));
        Assert.True(await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM hcp.stimuli_events WHERE event_date >= '2026-04-01'") > 0);

        // Nor is anything about them in an export.
        var directory = Path.Combine(Path.GetTempPath(), "hcp-erasure-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.NotNull(await Data.Export.DatasetExport.WriteCsvAsync(DataSources.For(connectionString), directory, CancellationToken.None));
            var files = Directory.GetFiles(directory);
            Assert.Contains(files, f => f.EndsWith("hcp_profiles.csv", StringComparison.Ordinal));
            Assert.All(files, f =>
            {
                var text = File.ReadAllText(f);
                Assert.DoesNotContain(npi, text, StringComparison.Ordinal);
                Assert.DoesNotContain(id.ToString(), text, StringComparison.Ordinal);
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Polls the run until it is no longer running, and returns it.</summary>
    private static async Task<JsonElement> RunWhenDoneAsync(HttpClient client, string? runId)
    {
        JsonElement run = default;
        await Poll.UntilAsync(async () =>
        {
            run = await (await client.GetAsync($"/api/admin/runs/{runId}")).OkJsonAsync();
            return run.GetProperty("status").GetString() != "running";
        }, $"run {runId} to end", TimeSpan.FromMinutes(2));
        return run;
    }

    private static async Task<string> CreateKeyAsync(ApiHost host, string scope)
    {
        await using var connection = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return (await Data.Security.ApiKeyStore.CreateAsync(connection, "fresh", scope, null, default)).Key;
    }
}
