using System.Diagnostics;
using System.Net;
using HcpPlatform.Testing;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>
/// Fault injection between the admin API and PostgreSQL (a proxy on loopback): while the database is down or hung,
/// database-backed endpoints answer 503 ProblemDetails with Retry-After within seconds, /health says Unhealthy within
/// seconds, and everything answers again once the database is back.
/// </summary>
[Collection(AdminApiGroup.Name)]
public sealed class OutageTests(AdminApiFixture fixture)
{
    private static readonly string[] Endpoints = ["/api/admin/generation/status", "/api/admin/data/counts", "/api/admin/runs", "/api/admin/data/series/daily"];

    [Fact]
    public async Task A_database_down_or_hung_is_503_with_retry_after_and_health_answers_within_seconds()
    {
        await using var proxy = new LoopbackProxy(await fixture.CloneAsync());
        var api = fixture.StartHost(proxy.ConnectionString);
        using var client = api.Client(fixture.Keys.Read);
        using var probe = api.Client();
        foreach (var endpoint in Endpoints)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(endpoint)).StatusCode);
        }

        proxy.Down();
        foreach (var endpoint in Endpoints)
        {
            await AssertUnavailableAsync(client, endpoint);
        }
        await AssertUnhealthyWithinAsync(probe);

        proxy.Restore();
        await Poll.UntilAsync(async () => (await client.GetAsync("/api/admin/generation/status")).StatusCode == HttpStatusCode.OK, "the API answers again", TimeSpan.FromSeconds(30));

        // Hung: a request that needs a new connection gets 503 once the connect timeout passes, not 500.
        proxy.Hang();
        var clock = Stopwatch.StartNew();
        await AssertUnavailableAsync(client, "/api/admin/data/counts");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"503 after {clock.Elapsed.TotalSeconds:0.0} s");

        proxy.Restore();
        await Poll.UntilAsync(async () => (await client.GetAsync("/api/admin/data/counts")).StatusCode == HttpStatusCode.OK, "the API answers again", TimeSpan.FromSeconds(60));
    }

    private static async Task AssertUnavailableAsync(HttpClient client, string endpoint)
    {
        var response = await client.GetAsync(endpoint);
        var problem = await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The database is unavailable", problem.GetProperty("title").GetString());
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
    }

    /// <summary>/health answers Unhealthy (503) within the checks' timeout and some slack, not after the driver's own timeouts.</summary>
    private static async Task AssertUnhealthyWithinAsync(HttpClient probe)
    {
        var clock = Stopwatch.StartNew();
        var health = await probe.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.StartsWith("Unhealthy\n", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"/health answered after {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
