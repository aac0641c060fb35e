using System.Net;
using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>/api/admin/interventions against a copy of the shared dataset (2,000 HCPs through 2026-03-31), checked against SQL.</summary>
[Collection(AdminApiGroup.Name)]
public sealed class InterventionsApiTests(AdminApiFixture fixture)
{
    private const string CardiologyTest = InterventionDefinitions.CardiologyTest;

    internal static string PlannedPolicy(string start = "2026-04-01", string end = "2026-04-30") => $$"""
        {"name": "Next best action", "type": "policy", "schedule": "planned", "channels": ["email", "rep_visit", "phone"],
         "target": {"tiers": ["Tier 1", "Tier 2"]}, "start": "{{start}}", "end": "{{end}}", "maxExposuresPerHcp": 20, "minDaysBetweenExposures": 1}
        """;

    /// <summary>Defines an intervention through the API (it must be accepted) and gives its id.</summary>
    internal static async Task<Guid> DefineAsync(HttpClient admin, string definition) =>
        (await (await admin.PostAsync("/api/admin/interventions", Http.Json(definition))).OkJsonAsync()).GetProperty("id").GetGuid();

    [Fact]
    public async Task Define_list_show_and_stop_an_intervention()
    {
        var db = await fixture.CloneAsync();
        var api = fixture.StartHost(db);
        using var admin = api.Client(fixture.Keys.Admin);
        using var reader = api.Client(fixture.Keys.Read);

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/admin/interventions", Http.Json(CardiologyTest))).StatusCode);
        var response = await admin.PostAsync("/api/admin/interventions", Http.Json(CardiologyTest));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.OkJsonAsync();
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/api/admin/interventions/{id}", response.Headers.Location?.ToString());
        Assert.Equal("scheduled", created.GetProperty("status").GetString());
        Assert.Equal("rep_visit", created.GetProperty("definition").GetProperty("channels")[0].GetString());
        Assert.Equal("test admin", await Sql.ScalarAsync<string>(db, $"SELECT created_by FROM platform.interventions WHERE id = '{id}'"));

        // The same definition again: 200 with the stored one, nothing added.
        var again = await admin.PostAsync("/api/admin/interventions", Http.Json(CardiologyTest));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(id, (await again.OkJsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.interventions"));

        var list = await (await reader.GetAsync("/api/admin/interventions")).OkJsonAsync();
        Assert.Equal(id, Assert.Single(list.EnumerateArray()).GetProperty("id").GetGuid());
        var detail = await (await reader.GetAsync($"/api/admin/interventions/{id}")).OkJsonAsync();
        Assert.Equal("Tier 1 cardiology rep visits", detail.GetProperty("intervention").GetProperty("name").GetString());
        Assert.Equal(0, detail.GetProperty("counts").GetProperty("exposures").GetInt64());

        var stopped = await (await admin.PostAsync($"/api/admin/interventions/{id}/stop", null)).OkJsonAsync();
        Assert.Equal("stopped", stopped.GetProperty("status").GetString());
        Assert.Equal("2026-03-31", stopped.GetProperty("end").GetString()); // before its start: it never runs
        Assert.Equal("2026-03-31", await Sql.ScalarAsync<string>(db, $"SELECT end_date::text FROM platform.interventions WHERE id = '{id}'"));

        var unknown = Guid.NewGuid();
        Assert.Contains(unknown.ToString(), (await (await reader.GetAsync($"/api/admin/interventions/{unknown}")).ProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString());
        await (await admin.PostAsync($"/api/admin/interventions/{unknown}/stop", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsync($"/api/admin/interventions/{unknown}/score", Http.Json("""{"outcome": "email_open", "estimates": {"ate": 1}}""")))
            .ProblemAsync(HttpStatusCode.NotFound);
        await (await reader.GetAsync($"/api/admin/interventions/{unknown}/planned-touches")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await reader.GetAsync($"/api/admin/interventions/{id}/planned-touches")).OkJsonAsync()).EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/admin/interventions/{id}/stop", null)).StatusCode);
    }

    [Fact]
    public async Task Bad_definitions_are_400_naming_each_field_and_what_is_allowed()
    {
        using var admin = fixture.Shared.Client(fixture.Keys.Admin);
        async Task<string> Field(string json, string field) =>
            await (await admin.PostAsync("/api/admin/interventions", Http.Json(json))).FieldErrorAsync(field);

        Assert.Contains("start must be after the last simulated day 2026-03-31",
            await Field(CardiologyTest.Replace("2026-04-06", "2026-03-31", StringComparison.Ordinal), "start"));
        Assert.Contains("allowed: test, policy, campaign, trigger", await Field(CardiologyTest.Replace("\"test\"", "\"experiment\"", StringComparison.Ordinal), "type"));
        Assert.Contains("allowed: email, rep_visit, phone, digital_ad", await Field(CardiologyTest.Replace("rep_visit", "fax", StringComparison.Ordinal), "channels"));
        Assert.Contains("allowed: Tier 1, Tier 2, Tier 3", await Field(CardiologyTest.Replace("Tier 1", "Tier 9", StringComparison.Ordinal), "target.tiers"));
        Assert.Contains("treatedShare is required for a test", await Field(CardiologyTest.Replace("\"treatedShare\": 0.5", "\"treatedShare\": 1.5", StringComparison.Ordinal), "treatedShare"));
        Assert.Contains("field 'colour' is unknown; allowed: id, name, type",
            await Field(CardiologyTest.Replace("\"type\"", "\"colour\": \"red\", \"type\"", StringComparison.Ordinal), "body"));
        Assert.Contains("body line 1", await Field("{not json", "body"));
        Assert.Contains("at $.start: the value must be a date as YYYY-MM-DD", await Field(CardiologyTest.Replace("2026-04-06", "6 April", StringComparison.Ordinal), "body"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(fixture.SharedConnectionString, "SELECT count(*) FROM platform.interventions"));
    }

    [Fact]
    public async Task Null_fields_fields_twice_wrong_kinds_and_an_end_after_2099_are_400_and_nothing_is_stored()
    {
        using var admin = fixture.Shared.Client(fixture.Keys.Admin);
        async Task<string> Field(string json, string field) =>
            await (await admin.PostAsync("/api/admin/interventions", Http.Json(json))).FieldErrorAsync(field);

        // A null where a value is required was read as null and failed later (500).
        Assert.Contains("at $.channels: null is not allowed", await Field(CardiologyTest.Replace("[\"rep_visit\"]", "null", StringComparison.Ordinal), "body"));
        Assert.Contains("at $.target: null is not allowed", await Field(CardiologyTest.Replace("{\"specialties\": [\"Cardiology\"], \"tiers\": [\"Tier 1\"]}", "null", StringComparison.Ordinal), "body"));
        Assert.Contains("at $.name: null is not allowed", await Field(CardiologyTest.Replace("\"Tier 1 cardiology rep visits\"", "null", StringComparison.Ordinal), "body"));
        // A field twice was taken as the last one.
        Assert.Contains("at $.name: a field is given twice", await Field(CardiologyTest.Replace("\"type\"", "\"name\": \"other\", \"type\"", StringComparison.Ordinal), "body"));
        // A number as a string, and a body that is not an object, were "another kind of value".
        Assert.Contains("at $.treatedShare: the value must be a number", await Field(CardiologyTest.Replace("\"treatedShare\": 0.5", "\"treatedShare\": \"0.5\"", StringComparison.Ordinal), "body"));
        Assert.Contains("not one JSON object; expected a definition such as", await Field("[]", "body"));
        Assert.Contains("body is empty", await Field("", "body"));
        // The window's end was not held to the years allowed.
        Assert.Contains("end needs a date from 2001-01-01 to 2099-12-31",
            await Field(CardiologyTest.Replace("2026-04-06", "2099-12-01", StringComparison.Ordinal).Replace("2026-05-03", "2100-01-15", StringComparison.Ordinal), "end"));
        // A trigger's problems under their fields: a planned schedule was filed under "body", a given channel called "required".
        var trigger = CardiologyTest.Replace("\"test\"", "\"trigger\"", StringComparison.Ordinal).Replace("\"treatedShare\": 0.5", "\"triggerLagDays\": 3", StringComparison.Ordinal);
        Assert.Contains("schedule \"planned\" does not apply to a trigger",
            await Field(trigger.Replace("\"triggerLagDays\"", "\"triggerChannel\": \"email\", \"schedule\": \"planned\", \"triggerLagDays\"", StringComparison.Ordinal), "schedule"));
        Assert.Contains("triggerChannel \"fax\" is unknown; allowed: email",
            await Field(trigger.Replace("\"triggerLagDays\"", "\"triggerChannel\": \"fax\", \"triggerLagDays\"", StringComparison.Ordinal), "triggerChannel"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(fixture.SharedConnectionString, "SELECT count(*) FROM platform.interventions"));
    }

    [Fact]
    public async Task Score_json_is_held_to_the_csv_rules_and_its_errors_name_the_path_and_the_kind_wanted()
    {
        var db = await fixture.CloneAsync();
        var api = fixture.StartHost(db);
        using var admin = api.Client(fixture.Keys.Admin);
        var id = await DefineAsync(admin, CardiologyTest);
        var hcp = Guid.NewGuid();
        async Task<string> Field(string json, string field) =>
            await (await admin.PostAsync($"/api/admin/interventions/{id}/score", Http.Json(json))).FieldErrorAsync(field);

        // A null estimate was a 500; an interval upside down, or hcpId with npi, was taken (the CSV refuses them).
        Assert.Contains("perHcp[0] is null", await Field("""{"outcome": "email_open", "estimates": {"perHcp": [null]}}""", "estimates"));
        Assert.Contains("perHcp[0]: lower (3) is above upper (1)",
            await Field($$$"""{"outcome": "email_open", "estimates": {"perHcp": [{"hcpId": "{{{hcp}}}", "effect": 2, "lower": 3, "upper": 1}]}}""", "estimates"));
        Assert.Contains("perHcp[0]: give both lower and upper",
            await Field($$$"""{"outcome": "email_open", "estimates": {"perHcp": [{"hcpId": "{{{hcp}}}", "effect": 2, "lower": 1}]}}""", "estimates"));
        Assert.Contains("perHcp[0]: give hcpId or npi, not both",
            await Field($$$"""{"outcome": "email_open", "estimates": {"perHcp": [{"hcpId": "{{{hcp}}}", "npi": "1234567893", "effect": 2}]}}""", "estimates"));
        // Wrong kinds were "could not be converted to a value", and an unknown field named ".NET member".
        Assert.Contains("at $.estimates.perHcp[0].hcpId: the value must be a UUID",
            await Field("""{"outcome": "email_open", "estimates": {"perHcp": [{"hcpId": "x", "effect": 2}]}}""", "body"));
        Assert.Contains("at $.estimates.ate: the value must be a number", await Field("""{"outcome": "email_open", "estimates": {"ate": "1"}}""", "body"));
        Assert.Contains("at $.outcome: the value must be a string", await Field("""{"outcome": 5}""", "body"));
        var unknown = await Field("""{"outcome": "email_open", "estimates": {"ate": 1}, "colour": "red"}""", "body");
        Assert.Contains("field 'colour' is unknown; allowed: outcome, modelType, estimates", unknown, StringComparison.Ordinal);
        Assert.DoesNotContain(".NET", unknown, StringComparison.Ordinal);
        // The touches' fields too (a record read through its constructor was named instead of the field's kind).
        Assert.Contains("at $.touches[0].day: the value must be a date as YYYY-MM-DD", await (await admin.PostAsync($"/api/admin/interventions/{id}/planned-touches",
            Http.Json("""{"touches": [{"npi": "1234567893", "channel": "rep_visit", "day": 5}]}"""))).FieldErrorAsync("body"));
        // The scoring's own refusals: a model type under modelType (400), and no truth before the dataset adopts the intervention (409).
        Assert.Contains("cannot be \"oracle\"", await Field("""{"outcome": "email_open", "modelType": "oracle", "estimates": {"ate": 1}}""", "modelType"));
        var early = await (await admin.PostAsync($"/api/admin/interventions/{id}/score", Http.Json("""{"outcome": "email_open", "estimates": {"ate": 1}}""")))
            .ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("No truth yet", early.GetProperty("title").GetString());
        Assert.Contains("has no truth yet", early.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM hcp.uplift_models WHERE model_type <> 'oracle'"));
    }

    [Fact]
    public async Task Nul_and_other_control_characters_are_400_not_500_and_a_long_reference_is_echoed_cut()
    {
        var db = await fixture.CloneAsync();
        var api = fixture.StartHost(db);
        using var admin = api.Client(fixture.Keys.Admin);
        // PostgreSQL's text cannot hold NUL: a name, a touch's reference, submittedBy or a model type with one was a 500.
        Assert.Contains("name cannot hold control characters", await (await admin.PostAsync("/api/admin/interventions",
            Http.Json(CardiologyTest.Replace("Tier 1 cardiology rep visits", "Tier 1\\u0000cardiology", StringComparison.Ordinal)))).FieldErrorAsync("name"));
        var id = await DefineAsync(admin, PlannedPolicy());
        var npi = await Sql.ScalarAsync<string>(db, "SELECT npi FROM hcp.hcp_profiles ORDER BY npi LIMIT 1");
        var touches = $"/api/admin/interventions/{id}/planned-touches";
        Assert.Contains("submittedBy cannot hold control characters", await (await admin.PostAsync(touches,
            Http.Json($$"""{"touches": [{"npi": "{{npi}}", "channel": "email", "day": "2026-04-07"}], "submittedBy": "crm\u0000"}"""))).FieldErrorAsync("submittedBy"));
        var result = await (await admin.PostAsync(touches, Http.Json($$"""
            {"touches": [{"npi": "{{npi}}", "channel": "email", "day": "2026-04-07", "externalRef": "a\u0000b"},
                         {"npi": "{{npi}}", "channel": "email", "day": "2026-04-08", "externalRef": "{{new string('x', 5000)}}"}]}
            """))).OkJsonAsync();
        var decisions = result.GetProperty("touches");
        Assert.Equal("externalRef cannot hold control characters (NUL, tab, line breaks).", decisions[0].GetProperty("reasons")[0].GetString());
        Assert.Equal(new string('x', 60) + "…", decisions[1].GetProperty("externalRef").GetString()); // the 5,000 characters were echoed whole
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.planned_touches"));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.interventions"));
    }

    [Fact]
    public async Task Touches_for_a_stopped_intervention_are_a_409()
    {
        var db = await fixture.CloneAsync();
        var api = fixture.StartHost(db);
        using var admin = api.Client(fixture.Keys.Admin);
        var id = await DefineAsync(admin, PlannedPolicy());
        await (await admin.PostAsync($"/api/admin/interventions/{id}/stop", null)).OkJsonAsync();
        var npi = await Sql.ScalarAsync<string>(db, "SELECT npi FROM hcp.hcp_profiles ORDER BY npi LIMIT 1");
        // The intervention's state, not the request, is why: it was a 400 under "touches".
        var problem = await (await admin.PostAsync($"/api/admin/interventions/{id}/planned-touches",
            Http.Json($$"""{"touches": [{"npi": "{{npi}}", "channel": "email", "day": "2026-04-07"}]}"""))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("is stopped; it takes no more touches", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(db, "SELECT count(*) FROM platform.planned_touches"));
    }

    [Fact]
    public async Task Planned_touches_are_accepted_or_refused_one_by_one_and_listed_with_their_status()
    {
        var db = await fixture.CloneAsync();
        var api = fixture.StartHost(db);
        using var admin = api.Client(fixture.Keys.Admin);
        using var reader = api.Client(fixture.Keys.Read);
        var rule = await DefineAsync(admin, CardiologyTest);
        var planned = await DefineAsync(admin, PlannedPolicy());
        var npis = await Sql.ListAsync(db, "SELECT npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 3", r => r.GetString(0));

        var body = $$"""
            {"touches": [
              {"npi": "{{npis[0]}}", "channel": "email", "day": "2026-04-01", "contentCategory": "clinical_data", "externalRef": "a"},
              {"npi": "{{npis[1]}}", "channel": "rep_visit", "day": "2026-04-02", "externalRef": "b"},
              {"npi": "{{npis[2]}}", "channel": "digital_ad", "day": "2026-04-02", "externalRef": "c"},
              {"npi": "{{npis[2]}}", "channel": "email", "day": "2026-03-31", "externalRef": "d"}
            ], "submittedBy": "nba-engine"}
            """;
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/admin/interventions/{planned}/planned-touches", Http.Json(body))).StatusCode);
        var result = await (await admin.PostAsync($"/api/admin/interventions/{planned}/planned-touches", Http.Json(body))).OkJsonAsync();
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(2, result.GetProperty("refused").GetInt32());
        var touches = result.GetProperty("touches").EnumerateArray().ToList();
        Assert.Contains("allowed: email, rep_visit, phone", touches[2].GetProperty("reasons")[0].GetString());
        Assert.Contains("allowed: 2026-04-01 to 2026-04-30", touches[3].GetProperty("reasons")[0].GetString());
        Assert.Equal(2L, await Sql.ScalarAsync<long>(db, $"SELECT count(*) FROM platform.planned_touches WHERE intervention_id = '{planned}' AND submitted_by = 'nba-engine'"));

        var listed = await (await reader.GetAsync($"/api/admin/interventions/{planned}/planned-touches")).OkJsonAsync();
        Assert.Equal(["a", "b"], listed.EnumerateArray().Select(t => t.GetProperty("externalRef").GetString()));
        Assert.All(listed.EnumerateArray(), t => Assert.Equal("planned", t.GetProperty("status").GetString()));
        Assert.Contains("allowed: planned, realized, rejected",
            await (await reader.GetAsync($"/api/admin/interventions/{planned}/planned-touches?status=lost")).FieldErrorAsync("status"));

        // The engine places a rule intervention's touches itself: its state, not the request, is why (it was a 400 under
        // "touches"), as for a stopped one. A touch for an unknown intervention is 404.
        var notPlanned = await (await admin.PostAsync($"/api/admin/interventions/{rule}/planned-touches", Http.Json(body))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("The intervention takes no touches", notPlanned.GetProperty("title").GetString());
        Assert.Contains("schedule \"planned\"", notPlanned.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await admin.PostAsync($"/api/admin/interventions/{Guid.NewGuid()}/planned-touches", Http.Json(body))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("touches needs 1 to 10,000 touches",
            await (await admin.PostAsync($"/api/admin/interventions/{planned}/planned-touches", Http.Json("""{"touches": []}"""))).FieldErrorAsync("touches"));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_interventions_endpoints()
    {
        using var client = fixture.Shared.Client(fixture.Keys.Read);
        var doc = await (await client.GetAsync("/openapi/v1.json")).OkJsonAsync();
        var paths = doc.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/admin/interventions").TryGetProperty("post", out var post));
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(paths.GetProperty("/api/admin/interventions/{id}").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/admin/interventions/{id}/planned-touches").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/admin/interventions/{id}/stop").TryGetProperty("post", out _));
    }
}
