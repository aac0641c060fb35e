using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire ServiceDefaults template: OpenTelemetry (logs, metrics, traces of ASP.NET Core, HttpClient and the runtime;
/// OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set), default health checks, service discovery and standard
/// resilience for HttpClients. Every service calls <see cref="AddServiceDefaults{TBuilder}"/> and
/// <see cref="MapDefaultEndpoints"/>; a component adds its own ActivitySource and Meter where it is registered.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                // Probes make no traces (nor do the queries their health checks run).
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>The longest any health check may take before it counts as failed.</summary>
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // A liveness check that only says the process answers.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        // Every check (the database's included, whoever registers it) answers within a few seconds: a hung database makes
        // /health say Unhealthy at once rather than after the driver's own timeouts (a minute).
        // The timeout only cancels a check's token, and a check waiting on a hung server (or retrying) may not return when
        // it is cancelled: each check is also raced against the clock.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                if (registration.Timeout <= TimeSpan.Zero || registration.Timeout > HealthCheckTimeout)
                {
                    registration.Timeout = HealthCheckTimeout;
                }
                var factory = registration.Factory;
                registration.Factory = services => new TimeBoundHealthCheck(factory(services), HealthCheckTimeout);
            }
        });
        return builder;
    }

    /// <summary>
    /// /health (every check must pass) and /alive (the "live" checks only). Mapped in every environment, unlike the
    /// template's Development only: the AppHost's health checks and the deployed container apps probe them, and they
    /// tell nothing but healthy or not.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}

/// <summary>A health check that answers within <paramref name="timeout"/> whatever the check it wraps does: unhealthy (its registration's failure status) when that check has not answered by then.</summary>
internal sealed class TimeBoundHealthCheck(IHealthCheck inner, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var check = inner.CheckHealthAsync(context, cancellationToken);
        var finished = await Task.WhenAny(check, Task.Delay(timeout, cancellationToken));
        if (finished == check)
        {
            return await check;
        }
        // Observed later, so an abandoned check's failure is not an unobserved task exception.
        _ = check.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return new HealthCheckResult(context.Registration.FailureStatus,
            $"No answer within {timeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s (the dependency may be hung).");
    }
}
