using System.Diagnostics.Metrics;
using HcpPlatform.Data.Hosting;

namespace HcpPlatform.ValidationService;

/// <summary>The validation service's instruments, on the platform's Meter ("HcpPlatform"); tagged with the trigger.</summary>
internal static class ValidationMetrics
{
    public static readonly Counter<long> Runs = PlatformTelemetry.Meter.CreateCounter<long>(
        "hcp.validation.runs", "{validation}", "Validations run, by trigger and verdict");

    public static readonly Counter<long> ChecksPassed = PlatformTelemetry.Meter.CreateCounter<long>(
        "hcp.validation.checks.passed", "{check}", "Checks that passed");

    public static readonly Counter<long> ChecksFailed = PlatformTelemetry.Meter.CreateCounter<long>(
        "hcp.validation.checks.failed", "{check}", "Checks that failed");

    public static readonly Histogram<double> Duration = PlatformTelemetry.Meter.CreateHistogram<double>(
        "hcp.validation.duration", "s", "Duration of one validation of the dataset");
}
