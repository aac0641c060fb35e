using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace HcpPlatform.ServiceDefaults;

/// <summary>
/// Resolves the singleton TracerProvider and MeterProvider at host start so their listeners are subscribed
/// (the role OpenTelemetry.Extensions.Hosting's hosted service plays). Disposal, and so the final flush, is the
/// container's: both are singletons it created.
/// </summary>
internal sealed class TelemetryProvidersStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<TracerProvider>();
        _ = services.GetRequiredService<MeterProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
