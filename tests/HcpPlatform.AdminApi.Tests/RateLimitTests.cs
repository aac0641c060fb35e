using System.Net;

namespace HcpPlatform.AdminApi.Tests;

[Collection(AdminApiGroup.Name)]
public sealed class RateLimitTests(AdminApiFixture fixture)
{
    [Fact]
    public async Task Each_key_has_its_own_window_and_the_excess_gets_429_with_retry_after()
    {
        var host = fixture.StartHost(fixture.SharedConnectionString, new Dictionary<string, string?>
        {
            ["AdminApi:RateLimit:PermitLimit"] = "3",
            ["AdminApi:RateLimit:WindowSeconds"] = "60",
        });
        using var reader = host.Client(fixture.Keys.Read);
        for (var i = 0; i < 3; i++)
        {
            await (await reader.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        }
        var refused = await reader.GetAsync("/api/admin/generation/status");
        var problem = await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("3 requests per 60 s", problem.GetProperty("detail").GetString());
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);

        // Another key is not affected; calls without a valid key share the client address's window.
        using var admin = host.Client(fixture.Keys.Admin);
        await (await admin.GetAsync("/api/admin/generation/status")).OkJsonAsync();
        using var anonymous = host.Client();
        for (var i = 0; i < 3; i++)
        {
            await (await anonymous.GetAsync("/api/admin/generation/status")).ProblemAsync(HttpStatusCode.Unauthorized);
        }
        await (await anonymous.GetAsync("/api/admin/generation/status")).ProblemAsync(HttpStatusCode.TooManyRequests);
        // Health probes are never limited.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/alive")).StatusCode);
        }
    }
}
