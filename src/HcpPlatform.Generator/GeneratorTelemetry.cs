using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HcpPlatform.Generator;

/// <summary>
/// The worker's own ActivitySource and Meter, "HcpPlatform.Generator" (ServiceDefaults subscribes to "HcpPlatform.*").
/// Spans: none of its own for runs (a run that finds nothing due leaves no trace); each appended day is the data layer's
/// <c>hcp.increment YYYY-MM-DD</c> trace (source "HcpPlatform", row counts per table, tagged with mode, reason and worker).
/// The desired-state polling runs untraced (PlatformTelemetry.Untraced).
/// Metrics:
/// <list type="bullet">
/// <item><c>hcp.generator.days</c> (counter, {day}; tag hcp.mode = nightly | accelerated): simulated days this worker appended.</item>
/// <item><c>hcp.generator.rows</c> (counter, {row}): rows appended.</item>
/// <item><c>hcp.generator.throughput</c> (histogram, {row}/s): rows per second of each increment.</item>
/// <item><c>hcp.generator.skipped</c> (counter, {run}; tag hcp.reason = busy | failed | no_dataset): runs that appended nothing although a day was due.</item>
/// <item><c>hcp.generator.lag</c> (observable gauge, d): days the dataset is behind real time (today UTC − last simulated day; negative when accelerated play is ahead).</item>
/// </list>
/// The data layer adds hcp.increment.days/rows/duration (meter "HcpPlatform").
/// </summary>
public static class GeneratorTelemetry
{
    public const string Name = "HcpPlatform.Generator";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Days = Meter.CreateCounter<long>("hcp.generator.days", "{day}", "Simulated days appended by the generator worker");
    public static readonly Counter<long> Rows = Meter.CreateCounter<long>("hcp.generator.rows", "{row}", "Rows appended by the generator worker");
    public static readonly Histogram<double> Throughput = Meter.CreateHistogram<double>("hcp.generator.throughput", "{row}/s", "Rows per second of each daily increment");
    public static readonly Counter<long> Skipped = Meter.CreateCounter<long>("hcp.generator.skipped", "{run}", "Runs that appended nothing although a day was due");

    private static double _lagDays = double.NaN; // NaN: no dataset seen yet

    static GeneratorTelemetry()
    {
        Meter.CreateObservableGauge("hcp.generator.lag", ObserveLag, "d", "Days the dataset is behind real time (today UTC minus the last simulated day)");
    }

    /// <summary>Records the watermark the worker last saw, for the lag gauge.</summary>
    public static void ObserveWatermark(DateOnly? simulatedThrough, DateOnly today) =>
        Interlocked.Exchange(ref _lagDays, simulatedThrough is { } d ? today.DayNumber - d.DayNumber : double.NaN);

    private static IEnumerable<Measurement<double>> ObserveLag()
    {
        var lag = Volatile.Read(ref _lagDays);
        if (!double.IsNaN(lag))
        {
            yield return new Measurement<double>(lag);
        }
    }
}
