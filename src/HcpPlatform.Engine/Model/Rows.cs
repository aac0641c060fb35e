namespace HcpPlatform.Engine.Model;

// One class per dataset table (schema "hcp"). The engine fills them; the data layer maps them with
// one IEntityTypeConfiguration each and streams them with binary COPY. JSON columns are carried as
// JSON text so the engine controls their exact, culture-free form.

/// <summary>A healthcare professional: identity, classification, geography and behavioural DNA.</summary>
public sealed class HcpProfile
{
    public Guid Id { get; set; }
    /// <summary>Slot in the population (0-based). Profile #i depends only on (seed, i).</summary>
    public int HcpIndex { get; set; }
    public string Npi { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Credential { get; set; } = "";
    public string Specialty { get; set; } = "";
    public string TaxonomyCode { get; set; } = "";
    public string Tier { get; set; } = "";
    public string Segment { get; set; } = "";
    public string State { get; set; } = "";
    public string City { get; set; } = "";
    public string Region { get; set; } = "";
    /// <summary>IANA time zone of the HCP's city (America/New_York, …): event times are UTC; local times follow this clock.</summary>
    public string TimeZone { get; set; } = "";
    public string Organization { get; set; } = "";
    /// <summary>JSON object channel → affinity in [0, 1].</summary>
    public string ChannelAffinities { get; set; } = "{}";
    public string PreferredChannel { get; set; } = "";
    public string PreferredContent { get; set; } = "";
    /// <summary>Multiplier on every response latency mean (1 = population average).</summary>
    public double ResponseLatencyFactor { get; set; }
    public double EngagementVolatility { get; set; }
    /// <summary>Share of its patients in the class the HCP puts on the brand: 0 for an HCP who never writes it.</summary>
    public double BaseConversionRate { get; set; }
    /// <summary>JSON array of per-channel aggregates (000 Task 10), recomputed after every change.</summary>
    public string ChannelEngagements { get; set; } = "[]";
    public double EngagementScore { get; set; }
    public bool IsFixture { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Street address of the HCP's practice (shared by the HCPs of one organization).</summary>
    public string AddressLine { get; set; } = "";
    /// <summary>Five-digit ZIP code of the practice, one of its city's.</summary>
    public string Zip { get; set; } = "";
    /// <summary>Patients a month the HCP treats in its brand's class: the brand's Rx baseline is this × base_conversion_rate.</summary>
    public int PatientVolume { get; set; }
}

public sealed class PrescribingHistory
{
    public Guid Id { get; set; }
    public Guid HcpId { get; set; }
    /// <summary>First day of the month, 00:00 UTC.</summary>
    public DateTime Month { get; set; }
    public int RxCount { get; set; }
    public double MarketShare { get; set; }
    public string ProductMix { get; set; } = "{}";
    public string DataSource { get; set; } = "synthetic";
    public DateTime CreatedAt { get; set; }
}

public sealed class TerritoryAssignment
{
    public Guid Id { get; set; }
    public string RepId { get; set; } = "";
    public string RepName { get; set; } = "";
    public Guid HcpId { get; set; }
    public string Territory { get; set; } = "";
    public string Region { get; set; } = "";
    public DateTime AssignedAt { get; set; }
    public bool IsPrimary { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Campaign
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string CampaignType { get; set; } = "";
    /// <summary>JSON array of channel names.</summary>
    public string Channels { get; set; } = "[]";
    /// <summary>JSON array of segment names.</summary>
    public string? TargetSegments { get; set; }
    public DateTime StartDate { get; set; }
    public DateTime EndDate { get; set; }
    public double? Budget { get; set; }
    public string Status { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed class CampaignParticipation
{
    public Guid Id { get; set; }
    public Guid CampaignId { get; set; }
    public Guid HcpId { get; set; }
    public DateTime EnrolledAt { get; set; }
    public string Status { get; set; } = "";
    public int TouchCount { get; set; }
    public int ResponseCount { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class StimulusEvent
{
    public Guid Id { get; set; }
    public Guid HcpId { get; set; }
    public Guid? CampaignId { get; set; }
    public string Channel { get; set; } = "";
    public string StimulusType { get; set; } = "";
    public string? ContentCategory { get; set; }
    public DateTime EventDate { get; set; }
    public string? RepId { get; set; }
    public string DeliveryStatus { get; set; } = "delivered";
    public string? Metadata { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The intervention whose exposure this touch is (V006); null for the regular plan.</summary>
    public Guid? InterventionId { get; set; }
}

public sealed class OutcomeEvent
{
    public Guid Id { get; set; }
    public Guid HcpId { get; set; }
    public Guid? StimulusId { get; set; }
    public string OutcomeType { get; set; } = "";
    public double? OutcomeValue { get; set; }
    public DateTime EventDate { get; set; }
    public double? AttributionConfidence { get; set; }
    public string? Metadata { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class ChannelCapacity
{
    public Guid Id { get; set; }
    public string Channel { get; set; } = "";
    public string CapacityType { get; set; } = "";
    public int LimitValue { get; set; }
    public string Period { get; set; } = "";
    public DateTime EffectiveDate { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class HcpContactLimit
{
    public Guid Id { get; set; }
    public Guid HcpId { get; set; }
    public string Channel { get; set; } = "";
    public int MaxContactsPerMonth { get; set; }
    public int MinDaysBetweenContacts { get; set; }
    /// <summary>JSON array of ISO weekday numbers (1 = Monday … 7 = Sunday).</summary>
    public string? PreferredDays { get; set; }
    /// <summary>JSON array of recurring "MM-DD" dates on which this HCP is never contacted.</summary>
    public string? BlackoutDates { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One true parameter of the simulation, stored with the dataset so models can be scored against it.</summary>
public sealed class GroundTruthParameter
{
    public Guid Id { get; set; }
    public string Parameter { get; set; } = "";
    public string? Channel { get; set; }
    public string? Tier { get; set; }
    public string? Segment { get; set; }
    public string? OutcomeType { get; set; }
    public string? Period { get; set; }
    public double Value { get; set; }
    public string? Details { get; set; }
}

/// <summary>The single row describing the dataset in place: its inputs and how far it has been simulated.</summary>
public sealed class DatasetInfo
{
    public Guid Id { get; set; }
    public long Seed { get; set; }
    public int HcpCount { get; set; }
    public int Months { get; set; }
    public string Scenario { get; set; } = "";
    public DateOnly WindowStart { get; set; }
    /// <summary>Last simulated day, inclusive: the watermark daily increments advance.</summary>
    public DateOnly SimulatedThrough { get; set; }
    public string EngineVersion { get; set; } = "";
    public string Parameters { get; set; } = "{}";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An HCP of an intervention's target population and its arm (V006): treatment or control (a test's holdout).</summary>
public sealed class InterventionAssignment
{
    public const string Treatment = "treatment";
    public const string Control = "control";

    public Guid InterventionId { get; set; }
    public Guid HcpId { get; set; }
    /// <summary>treatment | control</summary>
    public string Arm { get; set; } = "";
}

/// <summary>
/// Truth (V006), kept apart from the observed tables: one targeted HCP's two potential outcomes for one outcome in one
/// month of the intervention's window — with the intervention (treated) and in the same world without it (control).
/// The observed tables hold the one of the HCP's arm; the other is the engine replayed with the assignment flipped.
/// </summary>
public sealed class InterventionTruth
{
    public Guid InterventionId { get; set; }
    public Guid HcpId { get; set; }
    /// <summary>The HCP's arm in the observed data: treatment | control.</summary>
    public string Arm { get; set; } = "";
    /// <summary>An outcome type (email_open, meeting_scheduled, …) counted by event date, or rx (the month's Rx count).</summary>
    public string Outcome { get; set; } = "";
    /// <summary>First day of the month.</summary>
    public DateOnly Month { get; set; }
    public double YTreated { get; set; }
    public double YControl { get; set; }
}

/// <summary>What became of a planned touch (V006): realized (its stimulus) or rejected (the reason).</summary>
public sealed class PlannedTouchResult
{
    public const string Realized = "realized";
    public const string Rejected = "rejected";

    public Guid PlannedTouchId { get; set; }
    public Guid InterventionId { get; set; }
    public Guid HcpId { get; set; }
    public DateOnly Day { get; set; }
    /// <summary>realized | rejected</summary>
    public string Status { get; set; } = "";
    /// <summary>Why it was rejected (see Interventions.PlannedTouchOutcome's reasons); null when realized.</summary>
    public string? Reason { get; set; }
    public Guid? StimulusId { get; set; }
}

/// <summary>A 004-shaped uplift model row (V006): the oracle's true effects, or a scored model's estimates and metrics.</summary>
public sealed class UpliftModel
{
    public Guid ModelId { get; set; }
    public Guid InterventionId { get; set; }
    public string Outcome { get; set; } = "";
    /// <summary>oracle | the scored model's type (x_learner, dr_learner, t_learner, difference_in_means, …).</summary>
    public string ModelType { get; set; } = "";
    public DateTime TrainingDate { get; set; }
    public DateOnly TrainingDataStart { get; set; }
    public DateOnly TrainingDataEnd { get; set; }
    public int SampleSize { get; set; }
    public double Ate { get; set; }
    public double? Att { get; set; }
    public double? ValidationScore { get; set; }
    public string? ModelPath { get; set; }
    public string? FeatureImportance { get; set; }
    public string? Hyperparameters { get; set; }
    /// <summary>JSON: the scores against the truth (bias, coverage, PEHE, Qini, AUUC).</summary>
    public string? Metrics { get; set; }
    public bool IsActive { get; set; }
    public DateTime? DeployedDate { get; set; }
}
