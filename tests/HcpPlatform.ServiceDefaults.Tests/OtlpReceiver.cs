using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace HcpPlatform.ServiceDefaults.Tests;

/// <summary>One OTLP/HTTP export request: the signal ("traces", "metrics", "logs") and its protobuf body.</summary>
internal sealed record OtlpPayload(string Signal, byte[] Body);

/// <summary>
/// A minimal OTLP receiver on 127.0.0.1, port chosen by the OS, recording every body: OTLP/HTTP protobuf
/// (POST /v1/traces|metrics|logs) or, with <c>grpc: true</c>, OTLP/gRPC over cleartext HTTP/2.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<OtlpPayload> _payloads = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<OtlpPayload> Payloads
    {
        get
        {
            lock (_payloads)
            {
                return [.. _payloads];
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync(bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0,
            listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);

        // The host under test listens to the "Microsoft.AspNetCore" source process-wide, so it would trace this
        // receiver's requests too (and export those spans, and so on). Un-record them.
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity)
            {
                activity.IsAllDataRequested = false;
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }
            return next(context);
        });
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            receiver.Record(signal, await ReadBodyAsync(request));
            return Results.Bytes([], "application/x-protobuf");
        });
        // gRPC: /opentelemetry.proto.collector.trace.v1.TraceService/Export; the body is one length-prefixed
        // message (1 byte compressed flag, 4 bytes length); the reply is an empty message and grpc-status 0.
        app.MapPost("/{service}/Export", async (string service, HttpContext context) =>
        {
            var framed = await ReadBodyAsync(context.Request);
            var signal = service.EndsWith(".TraceService", StringComparison.Ordinal) ? "traces"
                : service.EndsWith(".MetricsService", StringComparison.Ordinal) ? "metrics"
                : service.EndsWith(".LogsService", StringComparison.Ordinal) ? "logs" : service;
            receiver.Record(signal, framed.Length >= 5 ? framed[5..] : framed);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        });

        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Urls.Single());
        return receiver;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    private void Record(string signal, byte[] body)
    {
        lock (_payloads)
        {
            _payloads.Add(new OtlpPayload(signal, body));
        }
        _arrived.Release();
    }

    /// <summary>Waits, without sleeping, until the recorded payloads satisfy <paramref name="condition"/>.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<OtlpPayload>, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(Payloads))
        {
            var remaining = timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero || !await _arrived.WaitAsync(remaining))
            {
                return condition(Payloads);
            }
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
