using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using static HcpPlatform.Generator.Tests.Kit;

namespace HcpPlatform.Generator.Tests;

/// <summary>
/// Traces as the worker exports them: the worker's own tracer provider (the service defaults, and the sources its
/// components register, sampled as the template samples) with an in-memory exporter added. Each appended day is one
/// trace, named for it; polling (with the Npgsql spans of its queries), Quartz and health probes make none.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class TelemetryTests(PostgresFixture postgres)
{
    private static readonly DateOnly T = new(2026, 3, 30);

    private static ServiceHost<Program> Exporting(string cs, string workerId, List<Activity> into, TimeProvider? clock = null) =>
        Worker(cs, workerId, clock, services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(into)));

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

        // Nightly mode two days behind: the worker catches up at start, then polls.
        await using (var worker = Exporting(cs, "w1", exported, ManualClock.At(T.AddDays(2))))
        {
            _ = worker.Host;
            using var quiet = PlatformTelemetry.Untraced("test"); // the test's own queries
            await Poll.UntilAsync(async () => await WatermarkAsync(cs) == T.AddDays(2), "the two missed days", Deadline);
            var watcher = worker.Services.GetRequiredService<SimulationStateWatcher>();
            var tick = watcher.LastTickAt;
            await Poll.UntilAsync(() => Task.FromResult(watcher.LastTickAt > tick), "one more poll", Deadline);
            await worker.Host.StopAsync();
        }
        metrics.RecordObservableInstruments();

        var spans = Snapshot(exported);
        var roots = spans.Where(s => s.ParentSpanId == default).ToList();
        Assert.Equal([$"hcp.increment {Iso(T.AddDays(1))}", $"hcp.increment {Iso(T.AddDays(2))}"], roots.Select(r => r.DisplayName).Order());
        foreach (var root in roots)
        {
            Assert.Equal("nightly", root.GetTagItem("hcp.mode"));
            Assert.Equal("w1", root.GetTagItem("hcp.worker"));
            Assert.True(root.GetTagItem("hcp.rows.stimuli_events") is long n && n > 0);
            Assert.True(root.GetTagItem("hcp.rows") is long rows && rows > 0);
            var stages = spans.Where(s => s.ParentSpanId == root.SpanId && s.Source.Name == PlatformTelemetry.Name).Select(s => s.DisplayName).ToList();
            Assert.Equal(["aggregates", "commit", "copy", "simulate"], stages.Order(StringComparer.Ordinal));
            var copy = Assert.Single(spans, s => s.ParentSpanId == root.SpanId && s.DisplayName == "copy");
            Assert.Equal(root.GetTagItem("hcp.rows.stimuli_events"), copy.GetTagItem("hcp.rows.stimuli_events"));
            // The day's statements are Npgsql's spans (from the client integration) inside its trace.
            Assert.Contains(spans, s => s.TraceId == root.TraceId && s.Source.Name == "Npgsql");
        }
        // The run's bookkeeping (worker lock, desired state, watermark) and the polling are in no trace: every span
        // belongs to a day.
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
        await using (var worker = Exporting(cs, "telemetry", exported))
        {
            _ = worker.Host;
            // The test's own queries and requests (started after the worker, so the worker does not inherit this) are untraced.
            using var quiet = PlatformTelemetry.Untraced("test");
            var start = await WatermarkAsync(cs);
            // Accelerated play: Quartz fires every 0.3 s, the watcher polls every 0.2 s, the job store is busy.
            await SetStateAsync(cs, "running", 0.3);
            await Poll.UntilAsync(async () => await WatermarkAsync(cs) >= start.AddDays(3), "three accelerated days", Deadline);
            await SetStateAsync(cs, "paused");
            using var http = worker.CreateClient();
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode);
            }
            var watcher = worker.Services.GetRequiredService<SimulationStateWatcher>();
            var tick = watcher.LastTickAt;
            await Poll.UntilAsync(() => Task.FromResult(watcher.LastTickAt > tick), "one more poll while paused", Deadline);
            await worker.Host.StopAsync();
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
