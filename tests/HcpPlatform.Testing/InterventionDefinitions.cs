namespace HcpPlatform.Testing;

/// <summary>Intervention definitions the CLI's and the admin API's tests both send (the README walkthrough's test).</summary>
public static class InterventionDefinitions
{
    /// <summary>A 4-week rep-visit test for Tier 1 cardiologists, half treated, starting after a dataset through 2026-03-31.</summary>
    public const string CardiologyTest = """
        {
          "name": "Tier 1 cardiology rep visits",
          "type": "test",
          "channels": ["rep_visit"],
          "target": {"specialties": ["Cardiology"], "tiers": ["Tier 1"]},
          "start": "2026-04-06",
          "end": "2026-05-03",
          "maxExposuresPerHcp": 4,
          "minDaysBetweenExposures": 7,
          "treatedShare": 0.5
        }
        """;
}
