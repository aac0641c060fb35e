using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HcpPlatform.Data.Hosting;

/// <summary>
/// The platform's own ActivitySource and Meter, shared by the data layer and every host.
/// ServiceDefaults subscribes to the name <see cref="Name"/> (and "HcpPlatform.*") as a plain string,
/// so it never references this assembly.
/// </summary>
public static class PlatformTelemetry
{
    /// <summary>ActivitySource and Meter name.</summary>
    public const string Name = "HcpPlatform";

    /// <summary>Spans for platform work (generation stages, validation, COPY batches...).</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>Counters and histograms for platform work.</summary>
    public static readonly Meter Meter = new(Name);
}
