using System.Globalization;
using Microsoft.Extensions.Options;
using HcpPlatform.Data.Platform;

namespace HcpPlatform.Generator;

/// <summary>Settings of the generator worker, bound from configuration section "Generator" and validated at start.</summary>
public sealed class GeneratorOptions
{
    public const string SectionName = "Generator";

    /// <summary>Quartz cron expression of the nightly increment (seconds first). Default "0 0 2 * * ?": every day at 02:00.</summary>
    public string Cron { get; set; } = "0 0 2 * * ?";

    /// <summary>Time zone the cron expression is read in (IANA or Windows id). Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Nightly mode appends every missing day through today (UTC) minus this many days. Default 0: through today,
    /// like the CLI's default --as-of, so a fresh backfill is already caught up.
    /// </summary>
    public int LagDays { get; set; }

    /// <summary>How often the desired state is polled when no notification arrives (the fallback of LISTEN). Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a nightly catch-up waits before trying again after another writer held the lock or a failure. Default 30 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How this worker names itself in platform.simulation_state.worker_id and pg_stat_activity. Default host/pid.</summary>
    public string? WorkerId { get; set; }

    public string EffectiveWorkerId => string.IsNullOrWhiteSpace(WorkerId)
        ? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}")
        : WorkerId.Trim();

    public TimeZoneInfo ResolveTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}

/// <summary>Checks every setting and names what is allowed; run at start (ValidateOnStart).</summary>
public sealed class GeneratorOptionsValidator : IValidateOptions<GeneratorOptions>
{
    public ValidateOptionsResult Validate(string? name, GeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        // Checked the way the nightly trigger will use it: parses, fires within a year, at most once a minute.
        var zoneKnown = !string.IsNullOrWhiteSpace(options.TimeZone) && TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out _);
        if (ScheduleSettings.Problem(options.Cron, zoneKnown ? options.TimeZone : "UTC", DateTimeOffset.UtcNow) is { Field: "cron" } problem)
        {
            errors.Add($"Generator:Cron \"{InputEcho.Of(options.Cron)}\": {problem.Message}");
        }
        try
        {
            options.ResolveTimeZone();
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            errors.Add($"Generator:TimeZone \"{options.TimeZone}\" is not a time zone of this machine (e.g. \"UTC\", \"America/New_York\").");
        }
        if (options.LagDays is < 0 or > 30)
        {
            errors.Add($"Generator:LagDays must be between 0 and 30 (got {options.LagDays}).");
        }
        if (options.PollInterval < TimeSpan.FromMilliseconds(50) || options.PollInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"Generator:PollInterval must be between 00:00:00.05 and 00:00:10 (got {options.PollInterval}); the worker must react to state changes quickly.");
        }
        if (options.RetryDelay < TimeSpan.FromMilliseconds(100) || options.RetryDelay > TimeSpan.FromHours(1))
        {
            errors.Add($"Generator:RetryDelay must be between 00:00:00.1 and 01:00:00 (got {options.RetryDelay}).");
        }
        if (options.WorkerId is { Length: > 100 })
        {
            errors.Add("Generator:WorkerId must be at most 100 characters.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
