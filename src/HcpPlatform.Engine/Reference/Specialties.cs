namespace HcpPlatform.Engine.Reference;

/// <summary>NUCC taxonomy codes and each specialty's annual congress (where conference touches spike).</summary>
public static class Specialties
{
    public static readonly IReadOnlyDictionary<string, string> TaxonomyCodes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Oncology"] = "207RX0202X",
        ["Cardiology"] = "207RC0000X",
        ["Neurology"] = "2084N0400X",
        ["Endocrinology"] = "207RE0101X",
        ["Rheumatology"] = "207RR0500X",
        ["Pulmonology"] = "207RP1001X",
        ["Gastroenterology"] = "207RG0100X",
        ["Nephrology"] = "207RN0300X",
        ["Dermatology"] = "207N00000X",
        ["Psychiatry"] = "2084P0800X",
    };

    public const string NursePractitionerTaxonomy = "363L00000X";
    public const string PhysicianAssistantTaxonomy = "363A00000X";
    public const string InternalMedicineTaxonomy = "207R00000X";

    public static string TaxonomyFor(string specialty, string credential) => credential switch
    {
        "NP" => NursePractitionerTaxonomy,
        "PA" => PhysicianAssistantTaxonomy,
        _ => TaxonomyCodes.GetValueOrDefault(specialty, InternalMedicineTaxonomy),
    };

    public sealed record Congress(string Name, int Month, DayOfWeek StartWeekday, int Nth, int Days);

    private static readonly Dictionary<string, Congress> Congresses = new(StringComparer.Ordinal)
    {
        ["Oncology"] = new("ASCO Annual Meeting", 6, DayOfWeek.Friday, 1, 5),
        ["Cardiology"] = new("ACC Scientific Session", 4, DayOfWeek.Saturday, 1, 3),
        ["Neurology"] = new("AAN Annual Meeting", 4, DayOfWeek.Saturday, 2, 6),
        ["Endocrinology"] = new("ENDO Annual Meeting", 6, DayOfWeek.Saturday, 2, 4),
        ["Rheumatology"] = new("ACR Convergence", 11, DayOfWeek.Friday, 2, 5),
        ["Pulmonology"] = new("ATS International Conference", 5, DayOfWeek.Friday, 3, 5),
        ["Gastroenterology"] = new("Digestive Disease Week", 5, DayOfWeek.Saturday, 1, 4),
        ["Nephrology"] = new("ASN Kidney Week", 11, DayOfWeek.Thursday, 1, 4),
        ["Dermatology"] = new("AAD Annual Meeting", 3, DayOfWeek.Friday, 2, 5),
        ["Psychiatry"] = new("APA Annual Meeting", 5, DayOfWeek.Saturday, 3, 5),
    };

    public static Congress CongressFor(string specialty) => Congresses.GetValueOrDefault(specialty, Congresses["Cardiology"]);

    /// <summary>First day of a specialty's congress in a given year.</summary>
    public static DateOnly CongressStart(string specialty, int year)
    {
        var c = CongressFor(specialty);
        return Calendar.UsHolidays.Nth(year, c.Month, c.StartWeekday, c.Nth);
    }

    /// <summary>
    /// How many of a specialty's congresses fall in [<paramref name="from"/>, <paramref name="to"/>], each counted by the
    /// share of its days inside (a congress straddling an end counts in part), days for which <paramref name="skip"/> holds
    /// left out: where conference touches can fall.
    /// </summary>
    public static double CongressesIn(string specialty, DateOnly from, DateOnly to, Func<DateOnly, bool>? skip = null)
    {
        var length = CongressFor(specialty).Days;
        var total = 0.0;
        for (var year = from.Year - 1; year <= to.Year; year++)
        {
            var start = CongressStart(specialty, year);
            for (var d = 0; d < length; d++)
            {
                var day = start.AddDays(d);
                total += day >= from && day <= to && (skip is null || !skip(day)) ? 1.0 / length : 0;
            }
        }
        return total;
    }

    /// <summary>A brand of the portfolio: its therapeutic area and the specialties that prescribe it (and that it is promoted to).</summary>
    public sealed record Product(string Name, string TherapeuticArea, IReadOnlyList<string> Specialties);

    /// <summary>
    /// The portfolio: one brand per therapeutic area, each specialty prescribing exactly one of them, so an HCP's brand follows
    /// from its specialty and is the one its rep details, its samples name, its campaigns promote and its Rx counts.
    /// </summary>
    public static readonly IReadOnlyList<Product> Portfolio =
    [
        new("Zorvexa", "Oncology", ["Oncology"]),
        new("Cardiolin", "Cardiovascular", ["Cardiology"]),
        new("Glucatra", "Cardiometabolic and renal", ["Endocrinology", "Nephrology"]),
        new("Neurovance", "Neuroscience", ["Neurology", "Psychiatry"]),
        new("Rheumelix", "Immunology", ["Rheumatology", "Dermatology", "Gastroenterology"]),
        new("Pulmavex", "Respiratory", ["Pulmonology"]),
    ];

    /// <summary>The portfolio's brand names, in portfolio order.</summary>
    public static readonly IReadOnlyList<string> Products = Portfolio.Select(p => p.Name).ToArray();

    private static readonly Dictionary<string, Product> ProductBySpecialty =
        Portfolio.SelectMany(p => p.Specialties.Select(s => (s, p))).ToDictionary(x => x.s, x => x.p, StringComparer.Ordinal);

    /// <summary>The brand a specialty prescribes (a specialty outside the portfolio's, from a custom configuration: the cardiovascular brand).</summary>
    public static Product ProductFor(string specialty) => ProductBySpecialty.GetValueOrDefault(specialty, Portfolio[1]);
}
