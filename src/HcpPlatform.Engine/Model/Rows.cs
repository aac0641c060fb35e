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
