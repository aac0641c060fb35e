namespace HcpPlatform.ServiceDefaults;

/// <summary>
/// The ActivitySource and Meter names the service defaults subscribe to. Everything listed publishes natively
/// (no instrumentation packages): ASP.NET Core, HttpClient, Npgsql, Quartz, the runtime, and the platform's own.
/// </summary>
public static class Telemetry
{
    /// <summary>The platform's own ActivitySource/Meter name (HcpPlatform.Data.Hosting.PlatformTelemetry uses it).</summary>
    public const string SourceName = "HcpPlatform";

    /// <summary>Any child source/meter of the platform, e.g. "HcpPlatform.Generator".</summary>
    public const string SourceNameWildcard = "HcpPlatform.*";

    public const string AspNetCoreSourceName = "Microsoft.AspNetCore";
    public const string HttpClientSourceName = "System.Net.Http";
    public const string NpgsqlSourceName = "Npgsql";
    public const string QuartzSourceName = "Quartz";

    /// <summary>
    /// ActivitySources added to the TracerProvider. Not Quartz's: Quartz 4 starts every firing and every job-store call
    /// (AcquireNextTriggers, TriggersFired, ...) as a trace root by design, hundreds of traces an hour that name no work;
    /// the platform's own spans name the work a firing does. Quartz stays a meter.
    /// </summary>
    public static IReadOnlyList<string> ActivitySourceNames { get; } =
    [
        SourceName, SourceNameWildcard,
        AspNetCoreSourceName,
        HttpClientSourceName,
        NpgsqlSourceName,
    ];

    /// <summary>Meters added to the MeterProvider.</summary>
    public static IReadOnlyList<string> MeterNames { get; } =
    [
        SourceName, SourceNameWildcard,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Net.Http",
        "System.Net.NameResolution",
        NpgsqlSourceName,
        QuartzSourceName,
        "System.Runtime",
    ];
}
