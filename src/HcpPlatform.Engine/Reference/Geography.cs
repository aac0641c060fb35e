using HcpPlatform.Engine.Calendar;

namespace HcpPlatform.Engine.Reference;

public sealed record UsState(string Code, string Name, string Region, double PopulationMillions, IReadOnlyList<string> Cities);

/// <summary>US states weighted by Census 2020 population, their region and main cities (largest first).</summary>
public static class Geography
{
    public static readonly IReadOnlyList<UsState> States =
    [
        new("CA", "California", "West", 39.5, ["Los Angeles", "San Diego", "San Jose", "San Francisco", "Sacramento"]),
        new("TX", "Texas", "Southwest", 29.1, ["Houston", "San Antonio", "Dallas", "Austin", "Fort Worth"]),
        new("FL", "Florida", "Southeast", 21.5, ["Jacksonville", "Miami", "Tampa", "Orlando"]),
        new("NY", "New York", "Northeast", 20.2, ["New York", "Buffalo", "Rochester", "Albany"]),
        new("PA", "Pennsylvania", "Northeast", 13.0, ["Philadelphia", "Pittsburgh", "Allentown"]),
        new("IL", "Illinois", "Midwest", 12.8, ["Chicago", "Aurora", "Springfield"]),
        new("OH", "Ohio", "Midwest", 11.8, ["Columbus", "Cleveland", "Cincinnati"]),
        new("GA", "Georgia", "Southeast", 10.7, ["Atlanta", "Augusta", "Savannah"]),
        new("NC", "North Carolina", "Southeast", 10.4, ["Charlotte", "Raleigh", "Durham"]),
        new("MI", "Michigan", "Midwest", 10.1, ["Detroit", "Grand Rapids", "Ann Arbor"]),
        new("NJ", "New Jersey", "Northeast", 9.3, ["Newark", "Jersey City", "Hackensack"]),
        new("VA", "Virginia", "Southeast", 8.6, ["Virginia Beach", "Richmond", "Charlottesville"]),
        new("WA", "Washington", "West", 7.7, ["Seattle", "Spokane", "Tacoma"]),
        new("AZ", "Arizona", "Southwest", 7.2, ["Phoenix", "Tucson", "Scottsdale"]),
        new("MA", "Massachusetts", "Northeast", 7.0, ["Boston", "Worcester", "Springfield"]),
        new("TN", "Tennessee", "Southeast", 6.9, ["Nashville", "Memphis", "Knoxville"]),
        new("IN", "Indiana", "Midwest", 6.8, ["Indianapolis", "Fort Wayne", "Evansville"]),
        new("MD", "Maryland", "Southeast", 6.2, ["Baltimore", "Bethesda", "Rockville"]),
        new("MO", "Missouri", "Midwest", 6.2, ["Kansas City", "St. Louis", "Springfield"]),
        new("WI", "Wisconsin", "Midwest", 5.9, ["Milwaukee", "Madison", "Green Bay"]),
        new("CO", "Colorado", "West", 5.8, ["Denver", "Colorado Springs", "Aurora"]),
        new("MN", "Minnesota", "Midwest", 5.7, ["Minneapolis", "St. Paul", "Rochester"]),
        new("SC", "South Carolina", "Southeast", 5.1, ["Charleston", "Columbia", "Greenville"]),
        new("AL", "Alabama", "Southeast", 5.0, ["Birmingham", "Huntsville", "Mobile"]),
        new("LA", "Louisiana", "Southeast", 4.7, ["New Orleans", "Baton Rouge", "Shreveport"]),
        new("KY", "Kentucky", "Southeast", 4.5, ["Louisville", "Lexington"]),
        new("OR", "Oregon", "West", 4.2, ["Portland", "Eugene", "Salem"]),
        new("OK", "Oklahoma", "Southwest", 4.0, ["Oklahoma City", "Tulsa"]),
        new("CT", "Connecticut", "Northeast", 3.6, ["Hartford", "New Haven", "Stamford"]),
        new("UT", "Utah", "West", 3.3, ["Salt Lake City", "Provo"]),
        new("IA", "Iowa", "Midwest", 3.2, ["Des Moines", "Iowa City", "Cedar Rapids"]),
        new("NV", "Nevada", "West", 3.1, ["Las Vegas", "Reno"]),
        new("AR", "Arkansas", "Southeast", 3.0, ["Little Rock", "Fayetteville"]),
        new("MS", "Mississippi", "Southeast", 3.0, ["Jackson", "Gulfport"]),
        new("KS", "Kansas", "Midwest", 2.9, ["Wichita", "Overland Park", "Kansas City"]),
        new("NM", "New Mexico", "Southwest", 2.1, ["Albuquerque", "Santa Fe"]),
        new("NE", "Nebraska", "Midwest", 2.0, ["Omaha", "Lincoln"]),
        new("ID", "Idaho", "West", 1.8, ["Boise", "Idaho Falls"]),
        new("WV", "West Virginia", "Southeast", 1.8, ["Charleston", "Morgantown"]),
        new("HI", "Hawaii", "West", 1.5, ["Honolulu"]),
        new("NH", "New Hampshire", "Northeast", 1.4, ["Manchester", "Lebanon"]),
        new("ME", "Maine", "Northeast", 1.4, ["Portland", "Bangor"]),
        new("RI", "Rhode Island", "Northeast", 1.1, ["Providence"]),
        new("MT", "Montana", "West", 1.1, ["Billings", "Missoula"]),
        new("DE", "Delaware", "Southeast", 1.0, ["Wilmington", "Dover"]),
        new("SD", "South Dakota", "Midwest", 0.9, ["Sioux Falls", "Rapid City"]),
        new("ND", "North Dakota", "Midwest", 0.8, ["Fargo", "Bismarck"]),
        new("AK", "Alaska", "West", 0.7, ["Anchorage"]),
        new("DC", "District of Columbia", "Southeast", 0.7, ["Washington"]),
        new("VT", "Vermont", "Northeast", 0.6, ["Burlington"]),
        new("WY", "Wyoming", "West", 0.6, ["Cheyenne", "Casper"]),
    ];

    public static readonly double[] StateWeights = States.Select(s => s.PopulationMillions).ToArray();

    /// <summary>Cities within a state are weighted by rank (the largest city draws most HCPs).</summary>
    public static double[] CityWeights(UsState state) =>
        Enumerable.Range(0, state.Cities.Count).Select(i => 1.0 / (i + 1)).ToArray();

    private static readonly Dictionary<string, UsState> ByCode = States.ToDictionary(s => s.Code, StringComparer.Ordinal);

    public static UsState? Find(string code) => ByCode.GetValueOrDefault(code);

    /// <summary>
    /// Each state's time zone (the one most of its people live in) and the longitude of its population centre (degrees, west
    /// negative; the order reps' territories follow within a region). A table of its own beside <see cref="States"/>.
    /// </summary>
    private static readonly Dictionary<string, (UsTimeZone Zone, double Longitude)> StateClock = new(StringComparer.Ordinal)
    {
        ["CA"] = (UsTimeZone.Pacific, -119.3), ["TX"] = (UsTimeZone.Central, -97.4), ["FL"] = (UsTimeZone.Eastern, -81.6),
        ["NY"] = (UsTimeZone.Eastern, -74.6), ["PA"] = (UsTimeZone.Eastern, -77.0), ["IL"] = (UsTimeZone.Central, -88.4),
        ["OH"] = (UsTimeZone.Eastern, -82.8), ["GA"] = (UsTimeZone.Eastern, -84.0), ["NC"] = (UsTimeZone.Eastern, -79.4),
        ["MI"] = (UsTimeZone.Eastern, -84.2), ["NJ"] = (UsTimeZone.Eastern, -74.4), ["VA"] = (UsTimeZone.Eastern, -77.8),
        ["WA"] = (UsTimeZone.Pacific, -121.6), ["AZ"] = (UsTimeZone.Arizona, -111.8), ["MA"] = (UsTimeZone.Eastern, -71.3),
        ["TN"] = (UsTimeZone.Central, -86.4), ["IN"] = (UsTimeZone.Eastern, -86.3), ["MD"] = (UsTimeZone.Eastern, -76.8),
        ["MO"] = (UsTimeZone.Central, -92.2), ["WI"] = (UsTimeZone.Central, -89.2), ["CO"] = (UsTimeZone.Mountain, -105.2),
        ["MN"] = (UsTimeZone.Central, -93.6), ["SC"] = (UsTimeZone.Eastern, -80.9), ["AL"] = (UsTimeZone.Central, -86.7),
        ["LA"] = (UsTimeZone.Central, -91.4), ["KY"] = (UsTimeZone.Eastern, -85.3), ["OR"] = (UsTimeZone.Pacific, -122.5),
        ["OK"] = (UsTimeZone.Central, -97.0), ["CT"] = (UsTimeZone.Eastern, -72.9), ["UT"] = (UsTimeZone.Mountain, -111.7),
        ["IA"] = (UsTimeZone.Central, -93.0), ["NV"] = (UsTimeZone.Pacific, -116.7), ["AR"] = (UsTimeZone.Central, -92.4),
        ["MS"] = (UsTimeZone.Central, -89.7), ["KS"] = (UsTimeZone.Central, -96.8), ["NM"] = (UsTimeZone.Mountain, -106.4),
        ["NE"] = (UsTimeZone.Central, -97.4), ["ID"] = (UsTimeZone.Mountain, -115.8), ["WV"] = (UsTimeZone.Eastern, -80.9),
        ["HI"] = (UsTimeZone.Hawaii, -157.5), ["NH"] = (UsTimeZone.Eastern, -71.5), ["ME"] = (UsTimeZone.Eastern, -69.8),
        ["RI"] = (UsTimeZone.Eastern, -71.5), ["MT"] = (UsTimeZone.Mountain, -110.5), ["DE"] = (UsTimeZone.Eastern, -75.6),
        ["SD"] = (UsTimeZone.Central, -97.8), ["ND"] = (UsTimeZone.Central, -99.2), ["AK"] = (UsTimeZone.Alaska, -150.0),
        ["DC"] = (UsTimeZone.Eastern, -77.0), ["VT"] = (UsTimeZone.Eastern, -72.7), ["WY"] = (UsTimeZone.Mountain, -107.3),
    };

    /// <summary>Cities whose clock differs from their state's.</summary>
    private static readonly Dictionary<(string State, string City), UsTimeZone> CityClock = new()
    {
        [("TN", "Knoxville")] = UsTimeZone.Eastern,
        [("IN", "Evansville")] = UsTimeZone.Central,
        [("SD", "Rapid City")] = UsTimeZone.Mountain,
        [("TX", "El Paso")] = UsTimeZone.Mountain,
        [("FL", "Pensacola")] = UsTimeZone.Central,
        [("ND", "Dickinson")] = UsTimeZone.Mountain,
        [("NE", "North Platte")] = UsTimeZone.Central,
        [("KY", "Bowling Green")] = UsTimeZone.Central,
        [("MI", "Escanaba")] = UsTimeZone.Central,
        [("ID", "Coeur d'Alene")] = UsTimeZone.Pacific,
        [("OR", "Ontario")] = UsTimeZone.Mountain,
    };

    /// <summary>The time zone of a city (its state's, unless the city keeps another clock).</summary>
    public static UsTimeZone TimeZoneOf(string stateCode, string city) =>
        CityClock.TryGetValue((stateCode, city), out var zone) ? zone
            : StateClock.TryGetValue(stateCode, out var clock) ? clock.Zone
            : throw new ArgumentException($"Unknown state \"{stateCode}\".", nameof(stateCode));

    /// <summary>Longitude of a state's population centre (degrees, west negative).</summary>
    public static double LongitudeOf(string stateCode) =>
        StateClock.TryGetValue(stateCode, out var clock) ? clock.Longitude : throw new ArgumentException($"Unknown state \"{stateCode}\".", nameof(stateCode));

    private static readonly string[] OrganizationPatterns =
    [
        "{0} Medical Center", "{0} {1} Associates", "{0} Regional Hospital", "University Health {0}",
        "{0} {1} Specialists", "St. Mary's Hospital {0}", "{0} Community Clinic", "{0} {1} Group",
        "Mercy Health {0}", "{0} Physicians Network",
    ];

    /// <summary>An organization name for a city and specialty; <paramref name="variant"/> picks among the city's practices.</summary>
    public static string Organization(string city, string specialty, int variant) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture,
            OrganizationPatterns[variant % OrganizationPatterns.Length], city, specialty);

    public static int OrganizationVariants => OrganizationPatterns.Length;
}
