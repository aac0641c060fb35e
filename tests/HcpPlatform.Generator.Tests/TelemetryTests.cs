using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using static HcpPlatform.Generator.Tests.Kit;
using ServiceDefaultsTelemetry = HcpPlatform.ServiceDefaults.Telemetry;

namespace HcpPlatform.Generator.Tests;

/// <summary>
/// Traces as the services export them: an OpenTelemetry tracer provider subscribed to the sources the service defaults
/// subscribe to, with the SDK's default sampling, and an in-memory exporter. Each appended day is one trace, named for it;
/// polling, Quartz and health probes make none.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class TelemetryTests(PostgresFixture postgres)
{
    private static readonly DateOnly T = new(2026, 3, 30);

    private static TracerProvider Exporting(List<Activity> into) => Sdk.CreateTracerProviderBuilder()
        .AddSource([.. ServiceDefaultsTelemetry.ActivitySourceNames])
        .AddInMemoryExporter(into)
        .Build();

    private static List<Activity> Snapshot(List<Activity> exported)
    {
        lock (exported)
        {
            return [.. exported];
        }
    }

    [Fact]
    public async Task Each_appended_day_is_one_trace_named_for_the_day_with_its_stages_and_row_counts()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var exported = new List<Activity>();
        var measurements = new ConcurrentQueue<(string Name, double Value)>();
        using var metrics = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GeneratorTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        metrics.SetMeasurementEventCallback<long>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        metrics.SetMeasurementEventCallback<double>((i, v, _, _) => measurements.Enqueue((i.Name, v)));
        metrics.Start();

        RunReport report;
        using (Exporting(exported))
        {
            report = await Runner(cs, ManualClock.At(T.AddDays(2)), "w1").RunAsync(RunReason.CatchUp, default);
        }
        metrics.RecordObservableInstruments();

        Assert.Equal(2, report.Days.Count);
        var spans = Snapshot(exported);
        var roots = spans.Where(s => s.ParentSpanId == default).ToList();
        Assert.Equal([$"hcp.increment {Iso(T.AddDays(1))}", $"hcp.increment {Iso(T.AddDays(2))}"], roots.Select(r => r.DisplayName).Order());
        foreach (var root in roots)
        {
            Assert.Equal("nightly", root.GetTagItem("hcp.mode"));
            Assert.Equal("w1", root.GetTagItem("hcp.worker"));
            Assert.True(root.GetTagItem("hcp.rows.stimuli_events") is long n && n > 0);
            Assert.True(root.GetTagItem("hcp.rows") is long rows && rows > 0);
            var stages = spans.Where(s => s.ParentSpanId == root.SpanId && s.Source.Name == "HcpPlatform").Select(s => s.DisplayName).ToList();
            Assert.Equal(["aggregates", "commit", "copy", "simulate"], stages.Order(StringComparer.Ordinal));
            var copy = Assert.Single(spans, s => s.ParentSpanId == root.SpanId && s.DisplayName == "copy");
            Assert.Equal(root.GetTagItem("hcp.rows.stimuli_events"), copy.GetTagItem("hcp.rows.stimuli_events"));
        }
        // The run's bookkeeping (worker lock, desired state, watermark) is in no trace: every span belongs to a day.
        Assert.All(spans, s => Assert.Contains(roots, r => r.TraceId == s.TraceId));
        Assert.Equal(2, measurements.Where(m => m.Name == "hcp.generator.days").Sum(m => m.Value));
        Assert.Equal(2, measurements.Count(m => m.Name == "hcp.generator.throughput"));
        Assert.Contains(measurements, m => m.Name == "hcp.generator.lag" && m.Value == 0);
    }

    [Fact]
    public async Task The_running_worker_makes_root_traces_only_for_the_days_it_appends()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "stopped");
        var exported = new List<Activity>();
        using var tracing = Exporting(exported);
        var app = await GeneratorApp.BuildAsync(
        [
            "--urls=http://127.0.0.1:0",
            $"--ConnectionStrings:hcpdb={cs}",
            "--Generator:WorkerId=telemetry",
            "--Generator:PollInterval=00:00:00.2",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await using (app)
        {
            await app.StartAsync();
            // The test's own queries and requests (started after the worker, so the worker does not inherit this) are untraced.
            using var quiet = PlatformTelemetry.Untraced("test");
            var start = await WatermarkAsync(cs);
            // Accelerated play: Quartz fires every 0.3 s, the watcher polls every 0.2 s, the job store is busy.
            await SetStateAsync(cs, "running", 0.3);
            await Poll.UntilAsync(async () => await WatermarkAsync(cs) >= start.AddDays(3), "three accelerated days", Deadline);
            await SetStateAsync(cs, "paused");
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode);
            }
            var watcher = app.Services.GetRequiredService<SimulationStateWatcher>();
            var tick = watcher.LastTickAt;
            await Poll.UntilAsync(() => Task.FromResult(watcher.LastTickAt > tick), "one more poll while paused", Deadline);
            await app.StopAsync();
        }

        var spans = Snapshot(exported);
        var roots = spans.Where(s => s.ParentSpanId == default).ToList();
        Assert.True(roots.Count >= 3, $"{roots.Count} root spans");
        Assert.All(roots, r => Assert.StartsWith("hcp.increment 20", r.DisplayName, StringComparison.Ordinal));
        Assert.All(roots, r => Assert.Equal("accelerated", r.GetTagItem("hcp.mode")));
        Assert.DoesNotContain(spans, s => s.Source.Name == "Quartz");
        Assert.DoesNotContain(spans, s => s.GetTagItem("url.path") is "/health");
    }
}
