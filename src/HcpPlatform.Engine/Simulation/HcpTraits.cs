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
    /// <summary>The clock the HCP lives by (its city's time zone): touches are placed in local working hours.</summary>
    public Calendar.UsTimeZone TimeZone { get; init; } = Calendar.UsTimeZone.Eastern;
    public int PreferredContent { get; init; }
    public double[] Affinity { get; init; } = [];
    public double LatencyFactor { get; init; }
    public double Volatility { get; init; }
    /// <summary>0 for an HCP who never writes the brand.</summary>
    public double BaseConversionRate { get; init; }
    /// <summary>Patients a month in the brand's class (see <see cref="Model.HcpProfile.PatientVolume"/>).</summary>
    public int PatientVolume { get; init; }
    /// <summary>The brand the HCP's specialty prescribes: the one detailed, sampled, promoted and counted in its Rx.</summary>
    public string Product { get; init; } = "";
    public ContactRule[] Limits { get; init; } = [];
    /// <summary>Recurring personal blackout days as month * 100 + day.</summary>
    public int[] Blackouts { get; init; } = [];

    /// <summary>Whether <paramref name="day"/> is one of this HCP's personal blackout days (stored as month × 100 + day).</summary>
    public bool IsPersonalBlackout(DateOnly day)
    {
        if (Blackouts.Length == 0)
        {
            return false; // (a day's month and day are not free to compute, and this is asked for every day drawn)
        }
        var key = day.Month * 100 + day.Day;
        foreach (var b in Blackouts)
        {
            if (b == key)
            {
                return true;
            }
        }
        return false;
    }

    // Set by the territory generator.
    public int PrimaryRep { get; set; }
    /// <summary>The overlay rep (index into Population.OverlayReps) who also calls on the HCP, or −1.</summary>
    public int OverlayRep { get; set; } = -1;
    /// <summary>The primary rep's route day (index into Population.Field.RouteDays) on which the HCP is seen.</summary>
    public int RouteDay { get; set; }
    /// <summary>Rep visits a week the HCP is due at a month factor of 1 (0 for no-see HCPs).</summary>
    public double VisitRate { get; set; }
}

public readonly record struct ContactRule(int MaxPerMonth, int MinDaysBetween, int PreferredWeekdayMask);
