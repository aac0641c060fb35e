namespace HcpPlatform.Engine.Simulation;

/// <summary>The numeric view of one HCP that the hot loops use (the profile row carries the same as text).</summary>
public sealed class HcpTraits
{
    public int Index { get; init; }
    public Guid Id { get; init; }
    public int Tier { get; init; }
    public string Segment { get; init; } = "";
    public string Specialty { get; init; } = "";
    public string State { get; init; } = "";
    public string City { get; init; } = "";
    public string Region { get; init; } = "";
    public int PreferredContent { get; init; }
    public double[] Affinity { get; init; } = [];
    public double LatencyFactor { get; init; }
    public double Volatility { get; init; }
    public double BaseConversionRate { get; init; }
    public ContactRule[] Limits { get; init; } = [];
    /// <summary>Recurring personal blackout days as month * 100 + day.</summary>
    public int[] Blackouts { get; init; } = [];

    // Set by the territory generator.
    public int PrimaryRep { get; set; }
    /// <summary>Position among the primary rep's HCPs, used to keep a rep's calls per day within capacity.</summary>
    public int RankInRep { get; set; }
}

public readonly record struct ContactRule(int MaxPerMonth, int MinDaysBetween, int PreferredWeekdayMask);
