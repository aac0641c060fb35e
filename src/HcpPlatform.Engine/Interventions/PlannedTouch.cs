namespace HcpPlatform.Engine.Interventions;

/// <summary>
/// A touch an external system (a next-best-action engine) plans for a coming day, within an intervention whose schedule is
/// <see cref="Intervention.PlannedSchedule"/>. An input of the engine: the evaluation of its day realizes it as a stimulus
/// carrying the intervention's id where the HCP's assignment, contact limits, blackout days, working hours and the rep's
/// capacity allow, and otherwise rejects it with a <see cref="PlannedTouchOutcome"/> reason.
/// </summary>
public sealed record PlannedTouch(Guid Id, Guid InterventionId, int HcpIndex, string Channel, DateOnly Day, string? ContentCategory, string? Product);

/// <summary>What became of a planned touch: realized (with its stimulus) or rejected (with the reason).</summary>
public sealed record PlannedTouchOutcome(Guid PlannedTouchId, bool Realized, string? Reason, Guid? StimulusId)
{
    /// <summary>The HCP is not in the intervention's treatment arm (holdout or outside the target population).</summary>
    public const string NotAssigned = "not_assigned";

    /// <summary>The day is outside the intervention's [start, end].</summary>
    public const string OutsideWindow = "outside_window";

    /// <summary>A holiday, a weekend for the channel, or one of the HCP's personal blackout days.</summary>
    public const string Blackout = "blackout";

    /// <summary>The HCP's monthly maximum for the channel is reached.</summary>
    public const string MonthlyLimit = "monthly_limit";

    /// <summary>Too close to another touch of the channel (the HCP's minimum gap) or to the intervention's previous exposure.</summary>
    public const string MinimumGap = "minimum_gap";

    /// <summary>The intervention's maximum exposures per HCP is reached.</summary>
    public const string ExposureLimit = "exposure_limit";

    /// <summary>The rep has no room that day (calls per day).</summary>
    public const string RepCapacity = "rep_capacity";

    /// <summary>The HCP's email address is bounced or suppressed.</summary>
    public const string Undeliverable = "undeliverable";

    public static readonly IReadOnlyList<string> Reasons =
        [NotAssigned, OutsideWindow, Blackout, MonthlyLimit, MinimumGap, ExposureLimit, RepCapacity, Undeliverable];
}
