namespace HcpPlatform.Engine.Simulation;

/// <summary>
/// Test seam: deliberate defects that the fault-injection tests switch on, one at a time, to prove that the engine's
/// statistical tests and the dataset validator catch a generator that breaks a documented behaviour. Carried by
/// <see cref="Config.SimulationConfig.Faults"/> (internal: never bound from configuration, never serialised), read once
/// when a generator is built, so a run without faults costs nothing and produces exactly the rows it always did.
/// Each fault breaks the behaviour, not the ground truth: the stored true parameters still describe the correct model.
/// </summary>
[Flags]
internal enum EngineFault
{
    None = 0,

    /// <summary>Responses use the channel's population-mean affinity instead of the HCP's own.</summary>
    ResponseIgnoresAffinity = 1 << 0,

    /// <summary>Touch volumes (monthly budgets, congress attendance) ignore the HCP's channel affinity.</summary>
    VolumeIgnoresAffinity = 1 << 1,

    /// <summary>No fatigue: earlier touches in the month do not lower the response probability.</summary>
    NoFatigue = 1 << 2,

    /// <summary>No content-match bonus for touches in the HCP's preferred content category.</summary>
    NoContentMatch = 1 << 3,

    /// <summary>Latencies ignore the HCP's response latency factor.</summary>
    NoLatencyFactor = 1 << 4,

    /// <summary>Responses ignore the tier modifier.</summary>
    NoTierModifier = 1 << 5,

    /// <summary>Prescribing ignores recent engaged responses (no engagement lift).</summary>
    NoEngagementLift = 1 << 6,

    /// <summary>The engagement lift is half its configured size (per response and cap).</summary>
    HalfEngagementLift = 1 << 7,

    /// <summary>Prescribing ignores the monthly seasonality.</summary>
    NoRxSeasonality = 1 << 8,

    /// <summary>The phone channel is dropped: no phone touches at all.</summary>
    NoPhoneChannel = 1 << 9,

    /// <summary>Rep visits fall on each HCP's own day instead of the day the rep works the HCP's city.</summary>
    NoRepCityDay = 1 << 10,

    /// <summary>Campaign emails go out on random weekdays of the campaign, not in batches on its weekly send days.</summary>
    NoEmailBatches = 1 << 11,

    /// <summary>Webinar invitations go out half the configured lead time before the event.</summary>
    WrongWebinarLead = 1 << 12,

    /// <summary>Conference touches fall on random days of the congress month instead of the congress days.</summary>
    ConferenceOffCongress = 1 << 13,

    /// <summary>No quarter-end push: every month carries the same field and email volume.</summary>
    NoQuarterEndPush = 1 << 14,

    /// <summary>Major US holidays are not blacked out.</summary>
    TouchesOnHolidays = 1 << 15,

    /// <summary>Touch days are drawn uniformly over the week, weekends included.</summary>
    NoWeekdayWeighting = 1 << 16,
}
