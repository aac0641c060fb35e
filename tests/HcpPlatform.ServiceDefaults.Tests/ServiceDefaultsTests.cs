using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace HcpPlatform.ServiceDefaults.Tests;

public sealed partial class ServiceDefaultsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>A component of the app under test, with its own ActivitySource and Meter, registered where it is added.</summary>
    private const string ComponentName = "HcpPlatform.Tests.Component";
    private static readonly ActivitySource ComponentSource = new(ComponentName);
    private static readonly Meter ComponentMeter = new(ComponentName);
    private static readonly Counter<long> WorkCounter = ComponentMeter.CreateCounter<long>("hcp.test.work_items");

    /// <summary>
    /// A host with the service defaults. Everything OTEL_* comes from the builder's configuration (overriding any
    /// process environment variable of the same name), so tests do not depend on, or change, the environment.
    /// </summary>
    private static WebApplication BuildApp(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var isolated = new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "",
            ["OTEL_SERVICE_NAME"] = "",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "",
        };
        foreach (var (key, value) in settings)
        {
            isolated[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(isolated);

        builder.AddServiceDefaults();
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(ComponentName))
            .WithMetrics(metrics => metrics.AddMeter(ComponentName));

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/work", () =>
        {
            using (var stage = ComponentSource.StartActivity("test.stage"))
            {
                stage?.SetTag("test.rows", 42);
            }
            WorkCounter.Add(1);
            LogWorkDone(app.Logger, "marker-7f3a");
            return "ok";
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Work done for {Marker}")]
    private static partial void LogWorkDone(ILogger logger, string marker);

    private static HttpClient ClientFor(WebApplication app) => new() { BaseAddress = new Uri(app.Urls.Single()) };

    [Fact]
    public async Task ExportsTracesMetricsAndLogsOverOtlpHttpWithoutProbeSpans()
    {
        using var diagnostics = new OtelDiagnostics();
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var app = BuildApp(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "svc-under-test",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "50",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "50",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
        });
        await app.StartAsync();
        using var client = ClientFor(app);

        // Probes first: their spans, had they been recorded, would end (and be exported) before /work's.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
        Assert.Equal("ok", await client.GetStringAsync(new Uri("/work", UriKind.Relative)));

        static List<OtlpSpan> Spans(IReadOnlyList<OtlpPayload> payloads) =>
            [.. payloads.Where(p => p.Signal == "traces").SelectMany(p => OtlpProtobuf.ReadSpans(p.Body))];

        var tracesArrived = await receiver.WaitForAsync(
            payloads => Spans(payloads) is var spans
                && spans.Any(s => s.Name == "test.stage")
                && spans.Any(s => s.Scope == "Microsoft.AspNetCore"),
            Deadline);
        Assert.True(tracesArrived, "no traces export with the test.stage span and the /work server span");

        var metricsArrived = await receiver.WaitForAsync(
            payloads => payloads.Any(p => p.Signal == "metrics" && OtlpProtobuf.Contains(p.Body, "hcp.test.work_items"))
                && payloads.Any(p => p.Signal == "metrics" && OtlpProtobuf.Contains(p.Body, "http.server.request.duration")),
            Deadline);
        Assert.True(metricsArrived, "no metrics export with the platform counter and ASP.NET Core's request duration");

        var logsArrived = await receiver.WaitForAsync(
            payloads => payloads.Any(p => p.Signal == "logs" && OtlpProtobuf.Contains(p.Body, "Work done for marker-7f3a")),
            Deadline);
        Assert.True(logsArrived, "no logs export with the formatted message");

        var allSpans = Spans(receiver.Payloads);
        var stage = Assert.Single(allSpans, s => s.Name == "test.stage");
        Assert.Equal(ComponentName, stage.Scope);
        Assert.Equal("42", stage.Attributes["test.rows"]);

        // Exactly one server span: /work. None for /health or /alive.
        var server = Assert.Single(allSpans, s => s.Scope == "Microsoft.AspNetCore");
        Assert.Equal("GET /work", server.Name);
        Assert.Equal("/work", server.Attributes["url.path"]);
        Assert.Equal("200", server.Attributes["http.response.status_code"]);

        var traces = receiver.Payloads.First(p => p.Signal == "traces");
        Assert.True(OtlpProtobuf.Contains(traces.Body, "svc-under-test"), "service.name from OTEL_SERVICE_NAME");

        await app.StopAsync();
        await app.DisposeAsync();
        // Positive control for ExportsNothingWithoutOtlpEndpoint: the SDK's diagnostics name all three exporters.
        Assert.True(diagnostics.Mentions("OtlpTraceExporter"), "trace exporter in SDK diagnostics");
        Assert.True(diagnostics.Mentions("OtlpMetricExporter"), "metric exporter in SDK diagnostics");
        Assert.True(diagnostics.Mentions("OtlpLogExporter"), "log exporter in SDK diagnostics");
    }

    [Fact]
    public async Task ExportsOverOtlpGrpcByDefault()
    {
        await using var receiver = await OtlpReceiver.StartAsync(grpc: true);
        await using var app = BuildApp(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_BSP_SCHEDULE_DELAY"] = "50",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "50",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
        });
        await app.StartAsync();
        using var client = ClientFor(app);
        Assert.Equal("ok", await client.GetStringAsync(new Uri("/work", UriKind.Relative)));

        var arrived = await receiver.WaitForAsync(
            payloads => payloads.Any(p => p.Signal == "traces" && OtlpProtobuf.ReadSpans(p.Body).Any(s => s.Name == "test.stage"))
                && payloads.Any(p => p.Signal == "metrics" && OtlpProtobuf.Contains(p.Body, "hcp.test.work_items"))
                && payloads.Any(p => p.Signal == "logs" && OtlpProtobuf.Contains(p.Body, "Work done for marker-7f3a")),
            Deadline);
        Assert.True(arrived, "no traces, metrics and logs over OTLP/gRPC");
    }

    [Fact]
    public async Task ExportsNothingWithoutOtlpEndpoint()
    {
        using var diagnostics = new OtelDiagnostics();
        var app = BuildApp(new()
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "50",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
        });
        await app.StartAsync();
        // The providers exist and collect (the listeners are subscribed), they just have nowhere to send.
        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
        using (var client = ClientFor(app))
        {
            Assert.Equal("ok", await client.GetStringAsync(new Uri("/work", UriKind.Relative)));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        }
        await app.StopAsync();
        // Disposal shuts the providers down: any exporter would have been created, and flushed, by now.
        await app.DisposeAsync();

        Assert.True(diagnostics.Mentions("Sampler added"), "the SDK diagnostics were captured");
        Assert.False(diagnostics.Mentions("Otlp"), string.Join(Environment.NewLine, diagnostics.Lines.Where(l => l.Contains("Otlp", StringComparison.Ordinal))));
        Assert.False(diagnostics.Mentions("Export"), "no export processor, reader or export attempt");
    }

    [Fact]
    public async Task HealthRequiresAllChecksAliveOnlyLiveOnes()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck(
            "dependency", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy("down"), ["ready"]);
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        using var client = ClientFor(app);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
    }

    /// <summary>
    /// A check stuck on a hung dependency, whose scoped resource cannot be released until it returns (as a DbContext on a
    /// connection waiting for a hung server): /health still answers, Unhealthy with the reason, within the checks' timeout.
    /// </summary>
    [Fact]
    public async Task HealthAnswersWithinTheTimeoutWhenACheckAndItsScopeHang()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });
        builder.AddServiceDefaults();
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddScoped(_ => new HungResource(hung.Task));
        builder.Services.AddHealthChecks().AddCheck<HungCheck>("database");
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        using var client = ClientFor(app);
        client.Timeout = TimeSpan.FromSeconds(30);
        try
        {
            var clock = Stopwatch.StartNew();
            var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(clock.Elapsed < Microsoft.Extensions.Hosting.Extensions.HealthCheckTimeout + TimeSpan.FromSeconds(5), $"/health answered after {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal("Unhealthy\ndatabase: Unhealthy: No answer within 5 s (the dependency may be hung).", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            hung.SetResult();
        }
    }

    private sealed class HungResource(Task released) : IAsyncDisposable
    {
        public Task Released => released;

        public async ValueTask DisposeAsync() => await released;
    }

    private sealed class HungCheck(HungResource resource) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
    {
        public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // Ignores cancellation, as a driver stuck on a socket may.
            await resource.Released;
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy();
        }
    }
}
