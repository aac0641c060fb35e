using System.Globalization;
using System.Text.Json;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// The engine's true parameters as the dataset stores them (hcp.ground_truth): what the statistical checks compute their
/// expectations from, so a dataset is judged against the model it claims, not against the code that made it.
/// </summary>
internal sealed record ValidationTruth(
    IReadOnlyDictionary<string, double> Scalars,
    IReadOnlyDictionary<string, double> TierModifier,
    IReadOnlyList<(string Stimulus, string Outcome, double BaseRate)> Rates,
    IReadOnlyDictionary<string, double> LatencyMean,
    IReadOnlyDictionary<string, double> Window,
    IReadOnlyList<ValidationTruth.FatiguePeriod> Fatigue,
    IReadOnlyDictionary<int, double> Seasonality,
    IReadOnlyList<string> Engaged,
    int RxLookbackDays,
    IReadOnlyDictionary<string, ValidationTruth.Rhythm> Rhythms)
{
    /// <summary>The response rhythm of an outcome type: a rate per local hour on workdays and on days off (none on Christmas Day).</summary>
    internal sealed record Rhythm(string Name, double[] Workday, double[] OffDay);

    /// <summary>A scenario email_fatigue event: responses to touches of its channels sent in [Start, End] × (1 − Magnitude).</summary>
    internal sealed record FatiguePeriod(DateOnly Start, DateOnly? End, double Magnitude, IReadOnlyList<string> Channels);

    /// <summary>The scalar parameters the response model needs.</summary>
    public static readonly string[] ResponseScalars = ["response_scale", "fatigue_per_touch", "content_match_multiplier", "affinity_modifier_offset", "max_response_probability"];

    /// <summary>The scalar parameters the prescribing model needs.</summary>
    public static readonly string[] RxScalars = ["rx_baseline_multiplier", "rx_lift_per_engaged_response", "rx_lift_cap", "rx_noise_sigma", "rx_noise_sigma_per_volatility"];

    public double Scalar(string name) => Scalars[name];

    /// <summary>Names of the response-model parameters this truth lacks (empty when the response checks can run).</summary>
    public IReadOnlyList<string> MissingForResponses()
    {
        var missing = ResponseScalars.Where(k => !Scalars.ContainsKey(k)).ToList();
        if (TierModifier.Count == 0 || Rates.Count == 0)
        {
            missing.Add("tier_modifier / response_probability base rates");
        }
        return missing;
    }

    /// <summary>Names of the prescribing-model parameters this truth lacks (empty when the Rx checks can run).</summary>
    public IReadOnlyList<string> MissingForRx()
    {
        var missing = RxScalars.Where(k => !Scalars.ContainsKey(k)).ToList();
        if (Seasonality.Count != 12)
        {
            missing.Add("rx_seasonality (12 months)");
        }
        if (Engaged.Count == 0)
        {
            missing.Add("rx_lift_per_engaged_response details (engaged outcome types, lookback)");
        }
        if (Window.Count == 0)
        {
            missing.Add("attribution_window_days");
        }
        return missing;
    }

    public double Lift(int engaged) => 1 + Math.Min(Scalar("rx_lift_cap"), Scalar("rx_lift_per_engaged_response") * engaged);

    /// <summary>Reads the ground truth; null (and the named checks recorded as failed) when the query fails.</summary>
    public static async Task<ValidationTruth?> LoadAsync(CheckRun run, string category)
    {
        var rows = await run.TryQueryAsync([("ground_truth", "The dataset stores the engine's true parameters.")], category, $"""
            SELECT parameter, tier, outcome_type, details->>'stimulus_type', (details->>'base_rate')::float8, value, period,
                   CASE WHEN parameter IN ('scenario_event', 'rx_lift_per_engaged_response', 'response_rhythm') THEN details::text END
            FROM {run.C.S}.ground_truth
            WHERE parameter IN ('response_scale', 'fatigue_per_touch', 'content_match_multiplier', 'affinity_modifier_offset', 'max_response_probability',
                                'tier_modifier', 'latency_mean_days', 'attribution_window_days', 'rx_baseline_multiplier', 'rx_lift_per_engaged_response',
                                'rx_lift_cap', 'rx_seasonality', 'rx_noise_sigma', 'rx_noise_sigma_per_volatility')
               OR (parameter = 'response_probability' AND details ? 'base_rate')
               OR (parameter = 'scenario_event' AND details->>'type' = 'email_fatigue')
               OR parameter = 'response_rhythm'
            """, r => (Parameter: r.GetString(0), Tier: r.IsDBNull(1) ? null : r.GetString(1), Outcome: r.IsDBNull(2) ? null : r.GetString(2),
                Stimulus: r.IsDBNull(3) ? null : r.GetString(3), BaseRate: r.IsDBNull(4) ? (double?)null : r.GetDouble(4), Value: r.GetDouble(5),
                Period: r.IsDBNull(6) ? null : r.GetString(6), Details: r.IsDBNull(7) ? null : r.GetString(7)));
        if (rows is null)
        {
            return null;
        }
        string[] scalarNames = [.. ResponseScalars, .. RxScalars];
        var lift = rows.FirstOrDefault(r => r.Parameter == "rx_lift_per_engaged_response").Details;
        var (engaged, lookback) = ParseLift(lift);
        return new ValidationTruth(
            rows.Where(r => scalarNames.Contains(r.Parameter)).GroupBy(r => r.Parameter).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "tier_modifier" && r.Tier is not null).GroupBy(r => r.Tier!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "response_probability" && r.Stimulus is not null && r.Outcome is not null && r.BaseRate is not null)
                .Select(r => (r.Stimulus!, r.Outcome!, r.BaseRate!.Value)).Distinct().OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList(),
            rows.Where(r => r.Parameter == "latency_mean_days" && r.Outcome is not null).GroupBy(r => r.Outcome!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "attribution_window_days" && r.Outcome is not null).GroupBy(r => r.Outcome!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "scenario_event" && r.Details is not null).Select(r => ParseFatigue(r.Details!)).OfType<FatiguePeriod>().ToList(),
            rows.Where(r => r.Parameter == "rx_seasonality" && int.TryParse(r.Period, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 12)
                .GroupBy(r => int.Parse(r.Period!, CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.First().Value),
            engaged,
            lookback,
            rows.Where(r => r.Parameter == "response_rhythm" && r.Outcome is not null && r.Details is not null)
                .Select(r => (r.Outcome!, Rhythm: ParseRhythm(r.Details!))).Where(x => x.Rhythm is not null)
                .GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => g.First().Rhythm!, StringComparer.Ordinal));
    }

    private static Rhythm? ParseRhythm(string details)
    {
        using var doc = JsonDocument.Parse(details);
        var e = doc.RootElement;
        static double[]? Hours(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 24
                && list.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number)
                ? [.. list.EnumerateArray().Select(x => x.GetDouble())] : null;
        return e.TryGetProperty("rhythm", out var name) && name.ValueKind == JsonValueKind.String && Hours(e, "workday") is { } work && Hours(e, "off_day") is { } off
            ? new Rhythm(name.GetString()!, work, off) : null;
    }

    private static (IReadOnlyList<string> Engaged, int Lookback) ParseLift(string? details)
    {
        if (details is null)
        {
            return ([], 0);
        }
        using var doc = JsonDocument.Parse(details);
        var e = doc.RootElement;
        var engaged = e.TryGetProperty("engaged", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        var lookback = e.TryGetProperty("lookback_days", out var days) && days.TryGetInt32(out var d) ? d : 0;
        return (engaged, lookback);
    }

    private static FatiguePeriod? ParseFatigue(string details)
    {
        using var doc = JsonDocument.Parse(details);
        var e = doc.RootElement;
        static DateOnly? Day(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                && DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        if (Day(e, "start") is not { } start || !e.TryGetProperty("magnitude", out var magnitude) || magnitude.ValueKind != JsonValueKind.Number)
        {
            return null;
        }
        var channels = e.TryGetProperty("channels", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : ["email"];
        return new FatiguePeriod(start, Day(e, "end"), magnitude.GetDouble(), channels);
    }
}
