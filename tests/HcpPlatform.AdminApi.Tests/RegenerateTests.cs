using System.Net;
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
        var host = fixture.StartHost(await fixture.Postgres.CreateDatabaseAsync()); // the service migrates it at start
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
        await Http.EventuallyAsync(async () =>
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
        var npi = await ScalarAsync(connectionString, "SELECT npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1 OFFSET 5");
        Assert.Contains("\"confirm\": \"ERASE\"", await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("{}"))).FieldErrorAsync("confirm"));
        Assert.Contains("gdpr, ccpa, hipaa", await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase",
            Http.Json("""{"confirm":"ERASE","regulation":"popia"}"""))).FieldErrorAsync("regulation"));
        Assert.Contains("Luhn", await (await client.PostAsync("/api/admin/data/hcps/123/erase", Http.Json("""{"confirm":"ERASE"}"""))).FieldErrorAsync("npi"));
        var erased = await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("""{"confirm":"ERASE","regulation":"gdpr"}"""))).OkJsonAsync();
        Assert.Equal(1, erased.GetProperty("deleted").GetProperty("hcp_profiles").GetInt64());
        Assert.True(erased.GetProperty("deleted").GetProperty("stimuli_events").GetInt64() > 0);
        await (await client.GetAsync($"/api/admin/data/hcps/{npi}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/admin/data/hcps/{npi}/erase", Http.Json("""{"confirm":"ERASE"}"""))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("0", await ScalarAsync(connectionString, $"SELECT count(*)::text FROM hcp.stimuli_events s JOIN hcp.hcp_profiles p ON p.id = s.hcp_id WHERE p.npi = '{npi}'"));
        var kinds = await (await client.GetAsync("/api/admin/runs?kind=erasure")).OkJsonAsync();
        Assert.Equal(1, kinds.GetArrayLength());
    }

    private static async Task<string> CreateKeyAsync(ApiHost host, string scope)
    {
        var connectionString = host.Services.GetRequiredService<AdminDatabase>().ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return (await Data.Security.ApiKeyStore.CreateAsync(connection, "fresh", scope, null, default)).Key;
    }

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
