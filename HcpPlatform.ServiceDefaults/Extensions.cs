using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
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
        // /health say Unhealthy at once rather than after the driver's own timeouts (a minute). The timeout only cancels a
        // check's token, and a check waiting on a hung server may not return when cancelled; worse, the request's service
        // scope is disposed after the checks, and disposing a DbContext whose connection is stuck waits for it. So each
        // check runs in a scope of its own, released when the check itself ends, and is raced against the clock.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                if (registration.Timeout <= TimeSpan.Zero || registration.Timeout > HealthCheckTimeout)
                {
                    registration.Timeout = HealthCheckTimeout;
                }
                var factory = registration.Factory;
                registration.Factory = services => new TimeBoundHealthCheck(services.GetRequiredService<IServiceScopeFactory>(), factory, HealthCheckTimeout);
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
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = WriteStatusAndReasonsAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live"), ResponseWriter = WriteStatusAndReasonsAsync });
        return app;
    }

    /// <summary>
    /// The overall status on the first line ("Healthy" alone when all is well), then one line per check that is not healthy
    /// with its reason, so an operator sees why (e.g. "PostgreSql: Unhealthy: No answer within 5 s").
    /// </summary>
    private static Task WriteStatusAndReasonsAsync(HttpContext context, HealthReport report)
    {
        var text = new System.Text.StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var reason = entry.Description ?? entry.Exception?.Message ?? "no reason given";
            if (reason.Length > 300)
            {
                reason = reason[..300] + "…";
            }
            text.Append('\n').Append(name).Append(": ").Append(entry.Status.ToString()).Append(": ").Append(reason.ReplaceLineEndings(" "));
        }
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);
}

/// <summary>
/// A health check that answers within <paramref name="timeout"/> whatever the check it makes does: unhealthy (its
/// registration's failure status) when that check has not answered by then. The check is made in a service scope of its
/// own, disposed when the check ends (however late), so nothing the request waits for is stuck behind a hung dependency.
/// </summary>
internal sealed class TimeBoundHealthCheck(IServiceScopeFactory scopes, Func<IServiceProvider, IHealthCheck> factory, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var check = Task.Run(() => RunInOwnScopeAsync(context, cancellationToken), CancellationToken.None);
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

    private async Task<HealthCheckResult> RunInOwnScopeAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await factory(scope.ServiceProvider).CheckHealthAsync(context, cancellationToken);
    }
}

/// <summary>
/// Where a service finds its configuration: started from any folder (a systemd unit, a script in /tmp, a container's
/// working directory), it reads the appsettings.json it was built with, not the working directory's (or none).
/// </summary>
public static class ServiceContentRoot
{
    /// <summary>
    /// The folder a service's configuration is read from: the one it was built or published into (its appsettings.json is
    /// there), whatever the working directory it is started from; null (the host's own default) when the command line or
    /// the environment (ASPNETCORE_CONTENTROOT, DOTNET_CONTENTROOT) names a content root.
    /// </summary>
    public static string? For(string[] args)
    {
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        return string.IsNullOrEmpty(given) ? AppContext.BaseDirectory : null;
    }

    /// <summary>A web service's builder options: its arguments, and its content root from <see cref="For"/>.</summary>
    public static WebApplicationOptions WebOptions(string[] args) => new() { Args = args, ContentRootPath = For(args) };

    /// <summary>A worker service's builder settings: its arguments, and its content root from <see cref="For"/>.</summary>
    public static HostApplicationBuilderSettings WorkerSettings(string[] args) => new() { Args = args, ContentRootPath = For(args) };
}
