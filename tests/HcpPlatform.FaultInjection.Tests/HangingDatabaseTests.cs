using System.Diagnostics;
using System.Net;
using HcpPlatform.Testing;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>A database that accepts connections and never answers (a loopback proxy that stalls) behind every service.</summary>
[Collection(FaultGroup.Name)]
public sealed class HangingDatabaseTests(FaultFixture fixture)
{
    /// <summary>The health checks' own bound (5 s) and slack for a busy machine; the driver's timeouts are 30 s and more.</summary>
    private static readonly TimeSpan HealthBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Every_service_answers_health_within_seconds_unhealthy_with_the_reason_and_recovers()
    {
        await using var proxy = new LoopbackProxy(await fixture.DatasetAsync());
        await using var admin = ServiceProcess.Start(ServiceProcess.AdminApi, proxy.ConnectionString);
        await using var generator = ServiceProcess.Start(ServiceProcess.Generator, proxy.ConnectionString, new Dictionary<string, string?> { ["Generator__WorkerId"] = "hang" });
        await using var validation = ServiceProcess.Start(ServiceProcess.Validation, proxy.ConnectionString);
        ServiceProcess[] services = [admin, generator, validation];
        await Task.WhenAll(services.Select(s => s.HealthyAsync(TimeSpan.FromSeconds(90))));

        proxy.Hang();
        var answers = await Task.WhenAll(services.Select(async s =>
        {
            var clock = Stopwatch.StartNew();
            var response = await s.Http.GetAsync(new Uri("/health", UriKind.Relative));
            return (s.Name, response.StatusCode, Body: await response.Content.ReadAsStringAsync(), clock.Elapsed);
        }));
        foreach (var (name, status, body, elapsed) in answers)
        {
            Assert.True(elapsed < HealthBound, $"{name}: /health answered after {elapsed.TotalSeconds:0.0} s");
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{name}: {status} {body}");
            Assert.StartsWith("Unhealthy\n", body, StringComparison.Ordinal);
            Assert.Contains("No answer within 5 s", body, StringComparison.Ordinal);
        }

        proxy.Restore();
        await Task.WhenAll(services.Select(s => s.HealthyAsync(TimeSpan.FromSeconds(60))));
    }
}
