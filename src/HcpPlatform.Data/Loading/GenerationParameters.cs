using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;

namespace HcpPlatform.Data.Loading;

/// <summary>Everything a dataset is a function of. Stored with the dataset so increments rebuild the same population.</summary>
public sealed record GenerationParameters
{
    public long Seed { get; init; } = 42;
    public int Hcps { get; init; } = Engine.Config.Scenario.Development.Hcps;
    public int Months { get; init; } = Engine.Config.Scenario.Development.Months;
    public string Scenario { get; init; } = Engine.Config.Scenario.Development.Name;
    public DateOnly AsOf { get; init; }
    [JsonIgnore]
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    public IReadOnlyList<FixtureHcp> Fixtures { get; init; } = [];
    public SimulationConfig Config { get; init; } = new();

    public DateOnly WindowStart => SimDate.WindowStart(AsOf, Months);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// Writes and reads a default instance once: the serializer's one-time set-up for this type (about 0.1 s in a new
    /// process) can then be paid on another thread while a command makes its first round trips to the database.
    /// </summary>
    public static void PrepareSerializer() => FromJson(new GenerationParameters().ToJson());

    public static GenerationParameters FromJson(string json) =>
        JsonSerializer.Deserialize<GenerationParameters>(json, Json) ?? throw new InvalidOperationException("Empty generation parameters.");
}

/// <summary>Row counts a run should produce (for progress bars and the volume checks).</summary>
public static class ExpectedVolumes
{
    public static IReadOnlyDictionary<string, long> For(GenerationParameters p)
    {
        var days = p.AsOf.DayNumber - p.WindowStart.DayNumber + 1;
        var stimuli = (long)(p.Hcps * p.Config.StimuliPerHcpYear * days / 365.25);
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["hcp_profiles"] = p.Hcps,
            ["stimuli_events"] = stimuli,
            ["outcome_events"] = stimuli / 5,
            ["prescribing_history"] = (long)p.Hcps * p.Months,
            ["territory_assignments"] = (long)(p.Hcps * (1 + p.Config.OverlayShare)),
            ["hcp_contact_limits"] = p.Hcps * 6L,
        };
    }
}
