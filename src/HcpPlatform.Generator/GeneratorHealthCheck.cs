using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HcpPlatform.Generator;

/// <summary>
/// "generator": healthy while the state watcher reads the desired state (it does so at least every poll interval);
/// unhealthy when it has not for ten poll intervals (database unreachable, watcher stopped). Starting counts as healthy
/// for the first minute, while migrations run and the database comes up. Unhealthy, with the reason, while the stored
/// nightly schedule cannot be used (it never fires, or fires more than once a minute).
/// </summary>
public sealed class GeneratorHealthCheck(SimulationStateWatcher watcher, IOptions<GeneratorOptions> options) : IHealthCheck
{
    public const string Name = "generator";

    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (watcher.ScheduleProblem is { } problem)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(problem));
        }
        var now = DateTimeOffset.UtcNow;
        var limit = options.Value.PollInterval * 10;
        var last = watcher.LastTickAt;
        if (last is { } t && now - t <= limit)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Desired state read {(now - t).TotalSeconds:0.0} s ago."));
        }
        if (last is null && now - _started < TimeSpan.FromMinutes(1))
        {
            return Task.FromResult(HealthCheckResult.Healthy("Starting."));
        }
        return Task.FromResult(HealthCheckResult.Unhealthy(last is null
            ? "The desired state has not been read since the worker started."
            : $"The desired state was last read {(now - last.Value).TotalSeconds:0} s ago."));
    }
}
