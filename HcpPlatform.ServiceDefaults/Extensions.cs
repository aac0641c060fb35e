using System.Diagnostics;
using HcpPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Common service defaults in the shape of the Aspire 13.5 ServiceDefaults template: OpenTelemetry (logs, metrics,
/// traces; OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set) and default health checks.
/// OpenTelemetry.Extensions.Hosting and the Instrumentation.* packages are not available here, so the tracer and
/// meter providers are built with the core SDK and subscribe by name to the sources that publish natively.
/// Service discovery and HttpClient resilience of the template are omitted (their packages are not available).
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;

        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : builder.Environment.ApplicationName;
        // service.name from OTEL_SERVICE_NAME or the application name; OTEL_RESOURCE_ATTRIBUTES (e.g. Aspire's
        // service.instance.id) is applied last, from the application's configuration.
        void ConfigureResource(ResourceBuilder resource) => resource
            .AddService(serviceName, autoGenerateServiceInstanceId: false)
            .AddEnvironmentVariableDetector();

        // Decided once, here, like the template: no endpoint, no exporter.
        var useOtlpExporter = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var protocol = ParseOtlpProtocol(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        void ConfigureOtlp(OtlpExporterOptions options) => options.Protocol = protocol;

        // Logs go through the application's own DI container, so the exporter reads the application's configuration.
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logging =>
        {
            logging.ConfigureResource(ConfigureResource);
            if (useOtlpExporter)
            {
                logging.AddOtlpExporter(ConfigureOtlp);
            }
        });

        // Traces and metrics: standalone SDK providers. The application's IConfiguration is handed to each so that the
        // standard OTEL_* keys (endpoint, headers, OTEL_BSP_SCHEDULE_DELAY, OTEL_METRIC_EXPORT_INTERVAL, ...) are read
        // from configuration, not only from process environment variables.
        builder.Services.AddSingleton(services =>
        {
            var appConfiguration = services.GetRequiredService<IConfiguration>();
            var tracing = Sdk.CreateTracerProviderBuilder()
                .ConfigureServices(s => s.AddSingleton(appConfiguration))
                .ConfigureResource(ConfigureResource)
                .AddSource([.. Telemetry.ActivitySourceNames]);
            if (useOtlpExporter)
            {
                tracing.AddOtlpExporter(ConfigureOtlp);
            }
            return tracing.Build();
        });
        builder.Services.AddSingleton(services =>
        {
            var appConfiguration = services.GetRequiredService<IConfiguration>();
            var metrics = Sdk.CreateMeterProviderBuilder()
                .ConfigureServices(s => s.AddSingleton(appConfiguration))
                .ConfigureResource(ConfigureResource)
                .AddMeter([.. Telemetry.MeterNames]);
            if (useOtlpExporter)
            {
                metrics.AddOtlpExporter(ConfigureOtlp);
            }
            return metrics.Build();
        });

        // Build (subscribe) the providers when the host starts, before any other hosted service; the container
        // disposes them at shutdown, which flushes pending spans and exports the last metrics.
        if (!builder.Services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(TelemetryProvidersStarter)))
        {
            builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryProvidersStarter>());
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        // A default liveness check to ensure the app is responsive.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps /health (every check must pass) and /alive (only checks tagged "live"), in every environment, and adds
    /// the middleware that keeps those probes out of traces and names the ASP.NET Core server spans.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(HttpServerSpans.Middleware([HealthEndpointPath, AlivenessEndpointPath]));

        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        });
        return app;
    }

    private static OtlpExportProtocol ParseOtlpProtocol(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value.Trim(), "grpc", StringComparison.OrdinalIgnoreCase))
        {
            return OtlpExportProtocol.Grpc;
        }
        if (string.Equals(value.Trim(), "http/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return OtlpExportProtocol.HttpProtobuf;
        }
        throw new InvalidOperationException(
            $"OTEL_EXPORTER_OTLP_PROTOCOL '{value}' is not supported; use 'grpc' (default) or 'http/protobuf'.");
    }
}
