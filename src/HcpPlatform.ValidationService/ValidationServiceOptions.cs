using HcpPlatform.Data.Validation;

namespace HcpPlatform.ValidationService;

/// <summary>Settings of the validation service, from the configuration section <c>Validation</c>.</summary>
public sealed class ValidationServiceOptions
{
    public const string SectionName = "Validation";

    /// <summary>Families of checks every validation runs. Default: all of them.</summary>
    public ValidationScope Scope { get; set; } = ValidationScope.All;

    /// <summary>
    /// LISTEN on <c>hcp_dataset_changed</c> (a dedicated connection, reconnected on failure). Default true;
    /// false leaves only polling (for poolers that do not pass notifications through).
    /// </summary>
    public bool Listen { get; set; } = true;

    /// <summary>
    /// How often platform.generation_runs is polled for a backfill or increment that has no validation of its own:
    /// the fallback for notifications lost while the listener was reconnecting. Default 30 s.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Interval of the scheduled validation (trigger "schedule"); zero disables it. Default 6 h.</summary>
    public TimeSpan ScheduleInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>First delay before the listener reconnects; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}
