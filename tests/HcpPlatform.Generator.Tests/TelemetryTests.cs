using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Testing;
using static HcpPlatform.Generator.Tests.Kit;

namespace HcpPlatform.Generator.Tests;

/// <summary>The worker's spans and metrics (ActivitySource and Meter "HcpPlatform.Generator").</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class TelemetryTests(PostgresFixture postgres)
{
    private static readonly DateOnly T = new(2026, 3, 30);

    [Fact]
    public async Task Each_appended_day_has_a_worker_span_around_the_increment_span_and_is_counted()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running");
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = s => s.Name is GeneratorTelemetry.Name or PlatformTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);
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

        var report = await Runner(cs, ManualClock.At(T.AddDays(2)), "w1").RunAsync(RunReason.CatchUp, default);
        metrics.RecordObservableInstruments();

        Assert.Equal(2, report.Days.Count);
        var run = Assert.Single(spans, s => s.OperationName == "generator.run");
        Assert.Equal("Generated", run.GetTagItem("hcp.outcome"));
        var days = spans.Where(s => s.OperationName == "generator.day").ToList();
        Assert.Equal(2, days.Count);
        Assert.All(days, d => Assert.Equal(run.SpanId, d.ParentSpanId));
        foreach (var day in days)
        {
            var increment = Assert.Single(spans, s => s.OperationName == "increment" && s.ParentSpanId == day.SpanId);
            Assert.True(increment.GetTagItem("hcp.rows.stimuli_events") is long n && n > 0);
            Assert.True(day.GetTagItem("hcp.rows") is long rows && rows > 0);
        }
        Assert.Equal(2, measurements.Where(m => m.Name == "hcp.generator.days").Sum(m => m.Value));
        Assert.Equal(2, measurements.Count(m => m.Name == "hcp.generator.throughput"));
        Assert.Contains(measurements, m => m.Name == "hcp.generator.lag" && m.Value == 0);
    }
}
