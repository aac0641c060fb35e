namespace HcpPlatform.Engine.Simulation;

/// <summary>
/// Test seam: deliberate defects that the fault-injection tests switch on, one at a time, to prove that the engine's
/// statistical tests and the dataset validator catch a generator that breaks a documented behaviour. Carried by
/// <see cref="Config.SimulationConfig.Faults"/> (internal: never bound from configuration, never serialised), read once
/// when a generator is built, so a run without faults costs nothing and produces exactly the rows it always did.
/// Each fault breaks the behaviour, not the ground truth: the stored true parameters still describe the correct model.
/// </summary>
[Flags]
internal enum EngineFault : long
{
    None = 0,

    /// <summary>Responses use the channel's population-mean affinity instead of the HCP's own.</summary>
    ResponseIgnoresAffinity = 1L << 0,

    /// <summary>Touch volumes (monthly budgets, congress attendance) ignore the HCP's channel affinity.</summary>
    VolumeIgnoresAffinity = 1L << 1,

    /// <summary>No fatigue: earlier touches in the month do not lower the response probability.</summary>
    NoFatigue = 1L << 2,

    /// <summary>No content-match bonus for touches in the HCP's preferred content category.</summary>
    NoContentMatch = 1L << 3,

    /// <summary>Latencies ignore the HCP's response latency factor.</summary>
    NoLatencyFactor = 1L << 4,

    /// <summary>Responses ignore the tier modifier.</summary>
    NoTierModifier = 1L << 5,

    /// <summary>Prescribing ignores recent engaged responses (no engagement lift).</summary>
    NoEngagementLift = 1L << 6,

    /// <summary>The engagement lift is half its configured size (per response and cap).</summary>
    HalfEngagementLift = 1L << 7,

    /// <summary>Prescribing ignores the monthly seasonality.</summary>
    NoRxSeasonality = 1L << 8,

    /// <summary>The phone channel is dropped: no phone touches at all.</summary>
    NoPhoneChannel = 1L << 9,

    /// <summary>Rep visits fall on a day of their week drawn for each HCP instead of the day the rep works the HCP's route.</summary>
    NoRepCityDay = 1L << 10,

    /// <summary>Campaign emails go out on random weekdays of the campaign, not in batches on its weekly send days.</summary>
    NoEmailBatches = 1L << 11,

    /// <summary>Webinar invitations go out half the configured lead time before the event.</summary>
    WrongWebinarLead = 1L << 12,

    /// <summary>Conference touches fall on random days of the congress month instead of the congress days.</summary>
    ConferenceOffCongress = 1L << 13,

    /// <summary>No quarter-end push: every month carries the same field and email volume.</summary>
    NoQuarterEndPush = 1L << 14,

    /// <summary>Major US holidays are not blacked out.</summary>
    TouchesOnHolidays = 1L << 15,

    /// <summary>Touch days are drawn uniformly over the week, weekends included.</summary>
    NoWeekdayWeighting = 1L << 16,

    /// <summary>Field volume (rep visits, phone calls) ignores the tier: no tier-driven targeting.</summary>
    NoTierTargeting = 1L << 17,

    /// <summary>No-see HCPs are visited like the others of their tier.</summary>
    IgnoreNoSee = 1L << 18,

    /// <summary>Overlay reps never ride along: their HCPs are seen by the primary rep only.</summary>
    InactiveOverlay = 1L << 19,

    /// <summary>The minimum gap between touches keeps a margin at each end of the month (touches avoid the month's edges).</summary>
    MonthEdgeMargins = 1L << 20,

    /// <summary>Touches are timed in fixed UTC hours, whatever the HCP's time zone.</summary>
    UtcClock = 1L << 21,

    /// <summary>Response latencies run in real time: responses ignore waking hours, business days and holidays.</summary>
    NoResponseRhythm = 1L << 22,

    /// <summary>Campaign emails go out only within the HCP's monthly email budget, so a send reaches a fraction of the enrolled.</summary>
    CampaignSendsByBudget = 1L << 23,

    /// <summary>Congress Program campaigns are not timed to a congress.</summary>
    CongressProgramsUntimed = 1L << 24,

    /// <summary>Campaign emails go out on Christmas Eve and New Year's Eve too.</summary>
    SendsOnEves = 1L << 25,

    /// <summary>A hard-bounced address is not suppressed: emails keep going to it (and are delivered).</summary>
    NoBounceSuppression = 1L << 26,

    /// <summary>Outcomes are written as soon as their touch is, even when they fall after the last simulated day.</summary>
    FutureOutcomes = 1L << 27,

    /// <summary>A rep visit's call type does not change the odds of a sample request.</summary>
    NoCallTypeEffect = 1L << 28,

    /// <summary>The HCP's reaction to a rep visit's key message does not change the odds of a meeting.</summary>
    NoReactionEffect = 1L << 29,

    /// <summary>Rx lift without carryover: only the month's own touches and responses count.</summary>
    NoRxCarryover = 1L << 30,

    /// <summary>Every touch and response lifts Rx by the same amount (the mean of the configured effects), whatever its channel.</summary>
    UniformRxLift = 1L << 31,

    /// <summary>Every segment responds to promotion alike (no segment responsiveness).</summary>
    NoSegmentRxLift = 1L << 32,

    /// <summary>Every HCP has the same patient volume for its specialty (no heavy tail of prescribers).</summary>
    FlatPatientVolume = 1L << 33,

    /// <summary>Touches and samples name a product by the HCP's index, not its specialty's brand.</summary>
    ProductByIndex = 1L << 34,

    /// <summary>A month's Rx row is written on its first day (before the month has happened), not when it is complete.</summary>
    RxOnMonthStart = 1L << 35,
}
