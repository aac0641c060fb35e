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

    /// <summary>Rep visits fall on a day of their week drawn for each HCP instead of the day the rep works the HCP's route.</summary>
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

    /// <summary>Field volume (rep visits, phone calls) ignores the tier: no tier-driven targeting.</summary>
    NoTierTargeting = 1 << 17,

    /// <summary>No-see HCPs are visited like the others of their tier.</summary>
    IgnoreNoSee = 1 << 18,

    /// <summary>Overlay reps never ride along: their HCPs are seen by the primary rep only.</summary>
    InactiveOverlay = 1 << 19,

    /// <summary>The minimum gap between touches keeps a margin at each end of the month (touches avoid the month's edges).</summary>
    MonthEdgeMargins = 1 << 20,

    /// <summary>Touches are timed in fixed UTC hours, whatever the HCP's time zone.</summary>
    UtcClock = 1 << 21,

    /// <summary>Response latencies run in real time: responses ignore waking hours, business days and holidays.</summary>
    NoResponseRhythm = 1 << 22,

    /// <summary>Campaign emails go out only within the HCP's monthly email budget, so a send reaches a fraction of the enrolled.</summary>
    CampaignSendsByBudget = 1 << 23,

    /// <summary>Congress Program campaigns are not timed to a congress.</summary>
    CongressProgramsUntimed = 1 << 24,

    /// <summary>Campaign emails go out on Christmas Eve and New Year's Eve too.</summary>
    SendsOnEves = 1 << 25,

    /// <summary>A hard-bounced address is not suppressed: emails keep going to it (and are delivered).</summary>
    NoBounceSuppression = 1 << 26,

    /// <summary>Outcomes are written as soon as their touch is, even when they fall after the last simulated day.</summary>
    FutureOutcomes = 1 << 27,
}
