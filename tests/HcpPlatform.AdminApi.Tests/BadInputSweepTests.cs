using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>
/// Every bad input the admin API can be sent, in one sweep: each answer is a 4xx ProblemDetails whose words name no .NET
/// type (no List`1[…], StartRequest, Nullable&lt;int&gt; limit) and stay short whatever the size of the input (a long input
/// is quoted cut, never echoed whole).
/// </summary>
[Collection(AdminApiGroup.Name)]
public sealed partial class BadInputSweepTests(AdminApiFixture fixture)
{
    /// <summary>The longest answer body accepted: a few messages, each with a cut quote of the input.</summary>
    private const int MaxBody = 1500;

    private static readonly string Long = new('x', 5000);

    private static readonly Lock Gate = new();
    private static Task<ApiHost>? _host;

    /// <summary>The API on a database of its own: should a case be accepted after all, no other test sees what it changed.</summary>
    private Task<ApiHost> HostAsync()
    {
        lock (Gate)
        {
            return _host ??= StartAsync();
        }

        async Task<ApiHost> StartAsync() => fixture.StartHost(await fixture.CloneAsync());
    }

    public static TheoryData<string, string, string?> Cases => new()
    {
        { "GET", "/api/admin/runs?limit=abc", null },
        { "GET", "/api/admin/runs?limit=" + Long, null },
        { "GET", "/api/admin/runs?limit=99999999999999999999", null },
        { "GET", "/api/admin/runs?kind=" + Long, null },
        { "GET", "/api/admin/runs?status=" + Long, null },
        { "GET", "/api/admin/runs/not-a-guid", null },
        { "GET", "/api/admin/runs/" + Guid.Empty, null },
        { "GET", "/api/admin/validation/history?limit=abc", null },
        { "GET", "/api/admin/validation/history?limit=-1", null },
        { "GET", "/api/admin/validation/" + Guid.Empty, null },
        { "GET", "/api/admin/data/series/daily?from=abc", null },
        { "GET", "/api/admin/data/series/daily?to=0001-01-01", null },
        { "GET", "/api/admin/data/series/daily?from=" + Long, null },
        { "GET", "/api/admin/data/series/channels?to=9999-12-31", null },
        { "GET", "/api/admin/data/series/response-rate?weeks=abc", null },
        { "GET", "/api/admin/data/series/response-rate?weeks=" + Long, null },
        { "GET", "/api/admin/data/hcps/abc", null },
        { "GET", "/api/admin/data/hcps/" + Long[..2000], null },
        { "GET", "/api/admin/data/hcps/1234567890", null },
        { "GET", "/api/admin/data/campaigns?status=" + Long, null },
        { "GET", "/api/admin/nothing-here", null },
        { "POST", "/api/admin/generation/start", "null" },
        { "POST", "/api/admin/generation/start", "[]" },
        { "POST", "/api/admin/generation/start", "\"x\"" },
        { "POST", "/api/admin/generation/start", "{bad" },
        { "POST", "/api/admin/generation/start", """{"secondsPerSimulatedDay":"2"}""" },
        { "POST", "/api/admin/generation/start", """{"secondsPerSimulatedDay":-1}""" },
        { "POST", "/api/admin/generation/start", """{"secondsPerSimulatedDay":1e400}""" },
        { "POST", "/api/admin/generation/start", """{"secondsPerSimulatedDay":[1]}""" },
        { "POST", "/api/admin/generation/start", $$"""{"{{Long}}":1}""" },
        { "POST", "/api/admin/generation/start", $$"""{"scenario":"{{Long}}"}""" },
        { "PUT", "/api/admin/generation/config", "[]" },
        { "PUT", "/api/admin/generation/config", "{}" },
        { "PUT", "/api/admin/generation/config", "{\"schedule\":{\"cron\":\"" + Long + "\",\"timeZone\":\"UTC\"}}" },
        { "PUT", "/api/admin/generation/config", """{"schedule":{"cron":"0 0 2 * * ?","timeZone":"Mars/Olympus"}}""" },
        { "PUT", "/api/admin/generation/config", """{"events":"x"}""" },
        { "PUT", "/api/admin/generation/config", """{"events":[1]}""" },
        { "PUT", "/api/admin/generation/config", """{"events":[{"type":"nope","start":"2026-01-01"}]}""" },
        { "POST", "/api/admin/generation/backfill", "[]" },
        { "POST", "/api/admin/generation/backfill", """{"hcps":"many","confirm":"REGENERATE"}""" },
        { "POST", "/api/admin/generation/backfill", """{"hcps":-5,"confirm":"REGENERATE"}""" },
        { "POST", "/api/admin/generation/backfill", """{"asOf":"2999-01-01","confirm":"REGENERATE"}""" },
        { "POST", "/api/admin/generation/backfill", $$"""{"asOf":"{{Long}}","confirm":"REGENERATE"}""" },
        { "POST", "/api/admin/generation/backfill", $$"""{"scenario":"{{Long}}","confirm":"REGENERATE"}""" },
        { "POST", "/api/admin/generation/backfill", """{"confirm":"yes"}""" },
        { "POST", "/api/admin/data/hcps/abc/erase", """{"confirm":"ERASE"}""" },
        { "POST", "/api/admin/data/hcps/1234567893/erase", $$"""{"regulation":"{{Long}}","confirm":"ERASE"}""" },
        { "POST", "/api/admin/keys/" + Guid.Empty + "/revoke", null },
        { "POST", "/api/admin/keys/not-a-guid/revoke", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_input_is_a_short_problem_naming_no_type(string method, string path, string? body)
    {
        using var client = (await HostAsync()).Client(fixture.Keys.Admin);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"{method} {Cut(path)}: {status} {Cut(text)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(text.Length <= MaxBody, $"{method} {Cut(path)}: a body of {text.Length} characters: {Cut(text)}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        var words = string.Join(" ", Words(problem));
        Assert.False(TypeName().IsMatch(words), $"{method} {Cut(path)}: a type name in \"{TypeName().Match(words).Value}\": {words}");
    }

    /// <summary>The human-readable parts of a problem: title, detail, error fields and messages.</summary>
    private static IEnumerable<string> Words(JsonElement problem)
    {
        foreach (var name in new[] { "title", "detail" })
        {
            if (problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
            {
                yield return value.GetString()!;
            }
        }
        if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in errors.EnumerateObject())
            {
                yield return field.Name;
                foreach (var message in field.Value.EnumerateArray())
                {
                    yield return message.GetString() ?? "";
                }
            }
        }
    }

    private static string Cut(string text) => text.Length > 200 ? text[..200] + "…" : text;

    /// <summary>What .NET type names look like in a message: generic arity, namespaces, Nullable&lt;…&gt;, request records, CLR primitives.</summary>
    [GeneratedRegex(@"`\d|\b(System|Microsoft|HcpPlatform)\.\w|Nullable<|\b[A-Z]\w*Request\b|\b(Int32|Int64|Double|Boolean|String|DateOnly|Guid)\b")]
    private static partial Regex TypeName();
}
