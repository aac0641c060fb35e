using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>The OpenAPI document, Swagger UI and the admin page: served by the service itself, nothing from a CDN.</summary>
[Collection(AdminApiGroup.Name)]
public sealed partial class DocsAndPageTests(AdminApiFixture fixture)
{
    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_and_the_key_scheme()
    {
        using var client = fixture.Shared.Client();
        var doc = await (await client.GetAsync("/openapi/v1.json")).OkJsonAsync();
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        string[] expected =
        [
            "/api/admin/generation/start", "/api/admin/generation/pause", "/api/admin/generation/stop", "/api/admin/generation/status",
            "/api/admin/generation/config", "/api/admin/generation/backfill", "/api/admin/data/counts", "/api/admin/data/series/daily",
            "/api/admin/data/series/channels", "/api/admin/data/series/response-rate", "/api/admin/data/hcps/{npi}",
            "/api/admin/data/hcps/{npi}/erase", "/api/admin/data/campaigns", "/api/admin/data/ground-truth", "/api/admin/runs",
            "/api/admin/runs/{id}", "/api/admin/validation/latest", "/api/admin/validation/history", "/api/admin/validation/{id}",
            "/api/admin/validation/run", "/api/admin/keys", "/api/admin/keys/{id}/revoke",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Array, doc.GetProperty("security").ValueKind);
        // Typed results document their answers, e.g. 400 and 202 for regenerate.
        var backfill = doc.GetProperty("paths").GetProperty("/api/admin/generation/backfill").GetProperty("post").GetProperty("responses");
        Assert.True(backfill.TryGetProperty("202", out _));
        Assert.True(backfill.TryGetProperty("400", out _));
    }

    [Fact]
    public async Task Swagger_ui_is_served_from_the_package_without_external_resources()
    {
        using var client = fixture.Shared.Client();
        var index = await client.GetStringAsync("/swagger/index.html");
        Assert.Contains("swagger-ui", index);
        Assert.Empty(ExternalUrls(index));
        var config = await client.GetStringAsync("/swagger/index.js");
        Assert.Contains("/openapi/v1.json", config);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/swagger-ui-bundle.js")).StatusCode);
    }

    [Fact]
    public async Task The_admin_page_is_server_rendered_self_contained_and_locked_down()
    {
        using var client = fixture.Shared.Client();
        var root = await client.GetAsync("/");
        Assert.Equal("/admin", root.RequestMessage!.RequestUri!.AbsolutePath); // redirected

        var page = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Empty(ExternalUrls(html));
        Assert.DoesNotContain("<script>", html); // no inline script: the CSP would block it
        Assert.Contains("<option value=\"load_test\">", html);
        Assert.Contains("id=\"count-stimuli_events\"", html);

        var js = await client.GetAsync("/admin/admin.js");
        Assert.Equal("text/javascript", js.Content.Headers.ContentType!.MediaType);
        var script = await js.Content.ReadAsStringAsync();
        Assert.Contains("sessionStorage", script);
        Assert.DoesNotContain(ExternalUrls(script), u => !u.StartsWith("http://www.w3.org/2000/svg", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/admin.css")).StatusCode);
    }

    private static List<string> ExternalUrls(string text) => Url().Matches(text).Select(m => m.Value).ToList();

    [GeneratedRegex("https?://[^\"'\\s)]+")]
    private static partial Regex Url();
}
