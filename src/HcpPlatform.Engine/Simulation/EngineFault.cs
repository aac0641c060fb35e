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

    /// <summary>A rep visit's call type does not change the odds of a sample request.</summary>
    NoCallTypeEffect = 1 << 17,

    /// <summary>The HCP's reaction to a rep visit's key message does not change the odds of a meeting.</summary>
    NoReactionEffect = 1 << 18,

    /// <summary>Rx lift without carryover: only the month's own touches and responses count.</summary>
    NoRxCarryover = 1 << 19,

    /// <summary>Every touch and response lifts Rx by the same amount (the mean of the configured effects), whatever its channel.</summary>
    UniformRxLift = 1 << 20,

    /// <summary>Every segment responds to promotion alike (no segment responsiveness).</summary>
    NoSegmentRxLift = 1 << 21,

    /// <summary>Every HCP has the same patient volume for its specialty (no heavy tail of prescribers).</summary>
    FlatPatientVolume = 1 << 22,

    /// <summary>Touches and samples name a product by the HCP's index, not its specialty's brand.</summary>
    ProductByIndex = 1 << 23,

    /// <summary>A month's Rx row is written on its first day (before the month has happened), not when it is complete.</summary>
    RxOnMonthStart = 1 << 24,
}
