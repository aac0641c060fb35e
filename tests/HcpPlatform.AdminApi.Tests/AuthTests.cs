using System.Net;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>Every endpoint: 401 without a usable key, 403 for a read key on a mutating endpoint, success otherwise.</summary>
[Collection(AdminApiGroup.Name)]
public sealed class AuthTests(AdminApiFixture fixture)
{
    /// <summary>(method, path) of every read endpoint; {npi} is filled in.</summary>
    public static TheoryData<string, string> ReadEndpoints => new()
    {
        { "GET", "/api/admin/generation/status" },
        { "GET", "/api/admin/generation/config" },
        { "GET", "/api/admin/data/counts" },
        { "GET", "/api/admin/data/series/daily" },
        { "GET", "/api/admin/data/series/channels" },
        { "GET", "/api/admin/data/series/response-rate" },
        { "GET", "/api/admin/data/hcps/{npi}" },
        { "GET", "/api/admin/data/campaigns" },
        { "GET", "/api/admin/data/ground-truth" },
        { "GET", "/api/admin/runs" },
        { "GET", "/api/admin/validation/history" },
    };

    /// <summary>Every mutating (admin) endpoint, with a body that would be valid.</summary>
    public static TheoryData<string, string, string?> AdminEndpoints => new()
    {
        { "POST", "/api/admin/generation/start", "{}" },
        { "POST", "/api/admin/generation/pause", null },
        { "POST", "/api/admin/generation/stop", null },
        { "PUT", "/api/admin/generation/config", """{"scenario":"development"}""" },
        { "POST", "/api/admin/generation/backfill", """{"scenario":"demo","confirm":"REGENERATE"}""" },
        { "POST", "/api/admin/data/hcps/{npi}/erase", """{"confirm":"ERASE"}""" },
        { "POST", "/api/admin/validation/run", null },
        { "GET", "/api/admin/keys", null },
        { "POST", "/api/admin/keys/{readId}/revoke", null },
    };

    private string Fill(string path) => path.Replace("{npi}", fixture.KnownNpi, StringComparison.Ordinal)
        .Replace("{readId}", fixture.Keys.ReadId.ToString(), StringComparison.Ordinal);

    private HttpRequestMessage Request(string method, string path, string? body = null) =>
        new(new HttpMethod(method), Fill(path)) { Content = body is null ? null : Http.Json(body) };

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task Read_endpoints_need_a_key_and_accept_read_and_admin_keys(string method, string path)
    {
        using var anonymous = fixture.Shared.Client();
        var problem = await (await anonymous.SendAsync(Request(method, path))).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());

        foreach (var key in new[] { fixture.Keys.Read, fixture.Keys.Admin })
        {
            using var client = fixture.Shared.Client(key);
            await (await client.SendAsync(Request(method, path))).OkJsonAsync();
        }
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Mutating_endpoints_refuse_missing_keys_with_401_and_read_keys_with_403(string method, string path, string? body)
    {
        using var anonymous = fixture.Shared.Client();
        await (await anonymous.SendAsync(Request(method, path, body))).ProblemAsync(HttpStatusCode.Unauthorized);

        using var reader = fixture.Shared.Client(fixture.Keys.Read);
        var problem = await (await reader.SendAsync(Request(method, path, body))).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains("scope 'admin'", problem.GetProperty("detail").GetString());
        Assert.Contains("scope 'read'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_expired_revoked_and_empty_keys_get_401_saying_which()
    {
        async Task<string> Detail(string key)
        {
            using var client = fixture.Shared.Client(key);
            var problem = await (await client.GetAsync("/api/admin/generation/status")).ProblemAsync(HttpStatusCode.Unauthorized);
            return problem.GetProperty("detail").GetString()!;
        }

        Assert.Contains("not valid", await Detail("hcp_" + new string('x', 43)));
        Assert.Contains("not valid", await Detail("something else entirely"));
        Assert.Contains("expired", await Detail(fixture.Keys.Expired));
        Assert.Contains("revoked", await Detail(fixture.Keys.Revoked));
        Assert.Contains("empty", await Detail(" "));
        // A key that differs from a real one in its last character only.
        var near = fixture.Keys.Admin[..^1] + (fixture.Keys.Admin[^1] == 'A' ? 'B' : 'A');
        Assert.Contains("not valid", await Detail(near));

        // Two key headers: said as such, not "empty".
        using var twice = fixture.Shared.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/generation/status");
        request.Headers.Add("X-Api-Key", [fixture.Keys.Admin, fixture.Keys.Read]);
        var problem = await (await twice.SendAsync(request)).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("2 X-Api-Key headers; send exactly one", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_authorization_header_with_the_ApiKey_scheme_works_too()
    {
        using var client = fixture.Shared.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", fixture.Keys.Read);
        await (await client.GetAsync("/api/admin/generation/status")).OkJsonAsync();

        var response = await fixture.Shared.Client().GetAsync("/api/admin/data/counts");
        Assert.Equal("ApiKey header=\"X-Api-Key\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_bootstrap_key_from_configuration_is_an_admin_key()
    {
        const string bootstrap = "local-bootstrap-key-for-tests-0123456789";
        var host = fixture.StartHost(fixture.SharedConnectionString, new Dictionary<string, string?> { ["AdminApi:BootstrapKey"] = bootstrap });
        using var client = host.Client(bootstrap);
        await (await client.GetAsync("/api/admin/keys")).OkJsonAsync();
        using var shared = fixture.Shared.Client(bootstrap); // not configured there
        await (await shared.GetAsync("/api/admin/keys")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("api_key")]
    [InlineData("apiKey")]
    [InlineData("X-Api-Key")]
    public async Task A_key_in_the_query_string_is_refused_and_never_logged(string parameter)
    {
        var host = fixture.StartHost(fixture.SharedConnectionString);
        using var client = host.Client();
        var problem = await (await client.GetAsync($"/api/admin/generation/status?{parameter}={Uri.EscapeDataString(fixture.Keys.Admin)}"))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("X-Api-Key header", problem.GetProperty("detail").GetString());
        Assert.NotEmpty(host.Logs);
        Assert.DoesNotContain(host.Logs, line => line.Contains(fixture.Keys.Admin[12..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_key_is_ever_written_to_the_logs()
    {
        var keys = new[] { fixture.Keys.Admin, fixture.Keys.Read, fixture.Keys.Expired, fixture.Keys.Revoked, "hcp_" + new string('q', 43) };
        foreach (var key in keys)
        {
            using var client = fixture.Shared.Client(key);
            await client.GetAsync("/api/admin/generation/status");
            await client.PostAsync("/api/admin/generation/pause", null);
            await client.GetAsync("/api/admin/keys");
        }
        Assert.NotEmpty(fixture.Shared.Logs);
        foreach (var line in fixture.Shared.Logs)
        {
            foreach (var key in keys)
            {
                Assert.DoesNotContain(key[12..], line, StringComparison.Ordinal); // the secret part after the prefix
            }
        }
    }
}
