using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Reference;

namespace HcpPlatform.Engine.Generators;

/// <summary>A known HCP that must exist in every dataset (seeds/001 "preserving custom data"). Unset fields are drawn.</summary>
public sealed class FixtureHcp
{
    public string Npi { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Credential { get; set; }
    public string? Specialty { get; set; }
    public string? Tier { get; set; }
    public string? Segment { get; set; }
    public string? State { get; set; }
    public string? City { get; set; }
    public string? Organization { get; set; }
}

public sealed class FixtureException(string message) : Exception(message);

public static class Fixtures
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly string[] Credentials = ["MD", "DO", "NP", "PA"];

    /// <summary>Parses and checks a fixtures document (a JSON array of HCPs); throws <see cref="FixtureException"/> naming the problem.</summary>
    public static IReadOnlyList<FixtureHcp> Parse(string json, SimulationConfig config, string source = "fixtures")
    {
        List<FixtureHcp>? list;
        try
        {
            list = JsonSerializer.Deserialize<List<FixtureHcp>>(json, Options);
        }
        catch (JsonException e)
        {
            throw new FixtureException($"{source} is not a valid fixtures file: {e.Message} Expected a JSON array of objects with npi, firstName, lastName and optional credential, specialty, tier, segment, state, city, organization.");
        }
        if (list is null)
        {
            throw new FixtureException($"{source} is empty; expected a JSON array of HCP objects.");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var f = list[i] ?? throw new FixtureException($"{source}: entry {i + 1} is null.");
            var where = $"{source}: entry {i + 1}";
            if (!Npi.IsValid(f.Npi))
            {
                throw new FixtureException($"{where} has invalid NPI \"{f.Npi}\": an NPI is 10 digits starting with 1 or 2 whose last digit is the Luhn check digit over \"80840\" + the first nine (e.g. 1234567893).");
            }
            if (!seen.Add(f.Npi))
            {
                throw new FixtureException($"{where} repeats NPI {f.Npi}; NPIs must be unique.");
            }
            if (string.IsNullOrWhiteSpace(f.FirstName) || string.IsNullOrWhiteSpace(f.LastName))
            {
                throw new FixtureException($"{where} needs firstName and lastName.");
            }
            if (f.Credential is not null && !Credentials.Contains(f.Credential))
            {
                throw new FixtureException($"{where} has credential \"{f.Credential}\"; allowed: {string.Join(", ", Credentials)}.");
            }
            if (f.Specialty is not null && !config.SpecialtyWeights.ContainsKey(f.Specialty))
            {
                throw new FixtureException($"{where} has specialty \"{f.Specialty}\"; allowed: {string.Join(", ", config.SpecialtyWeights.Keys.Order(StringComparer.Ordinal))}.");
            }
            if (f.Tier is not null && !SimulationConfig.Tiers.Contains(f.Tier))
            {
                throw new FixtureException($"{where} has tier \"{f.Tier}\"; allowed: {string.Join(", ", SimulationConfig.Tiers)}.");
            }
            if (f.Segment is not null)
            {
                var segments = config.SegmentByTier.Values.SelectMany(s => s.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
                if (!segments.Contains(f.Segment))
                {
                    throw new FixtureException($"{where} has segment \"{f.Segment}\"; allowed: {string.Join(", ", segments)}.");
                }
            }
            if (f.State is not null && Geography.Find(f.State) is null)
            {
                throw new FixtureException($"{where} has state \"{f.State}\"; use a two-letter US state code.");
            }
            if (f.City is not null && f.State is null)
            {
                throw new FixtureException($"{where} sets city without state.");
            }
        }
        return list;
    }
}
