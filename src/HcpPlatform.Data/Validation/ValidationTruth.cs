using System.Globalization;
using System.Text.Json;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// The engine's true parameters as the dataset stores them (hcp.ground_truth): what the statistical checks compute their
/// expectations from, so a dataset is judged against the model it claims, not against the code that made it.
/// </summary>
internal sealed record ValidationTruth(
    IReadOnlyDictionary<string, double> Scalars,
    IReadOnlyDictionary<string, double> TierOdds,
    IReadOnlyList<(string Stimulus, string Outcome, double BaseRate)> Rates,
    IReadOnlyDictionary<string, double> LatencyMean,
    IReadOnlyDictionary<string, double> Window,
    IReadOnlyList<ValidationTruth.FatiguePeriod> Fatigue,
    IReadOnlyDictionary<int, double> Seasonality,
    IReadOnlyDictionary<string, double> CallTypeOdds,
    IReadOnlyDictionary<string, double> ReactionOdds,
    IReadOnlyList<ValidationTruth.RxDriver> RxDrivers,
    IReadOnlyDictionary<string, double> SegmentLift,
    IReadOnlyDictionary<string, double> WriterShare,
    IReadOnlyDictionary<string, double> SpecialtyVolume,
    IReadOnlyDictionary<string, string> ProductBySpecialty,
    IReadOnlyDictionary<string, ValidationTruth.Rhythm> Rhythms)
{
    /// <summary>The response rhythm of an outcome type: a rate per local hour on workdays and on days off (none on Christmas Day).</summary>
    internal sealed record Rhythm(string Name, double[] Workday, double[] OffDay);

    /// <summary>A scenario email_fatigue event: responses to touches of its channels sent in [Start, End] × (1 − Magnitude).</summary>
    internal sealed record FatiguePeriod(DateOnly Start, DateOnly? End, double Magnitude, IReadOnlyList<string> Channels);

    /// <summary>What lifts Rx: the delivered touches of a channel (Kind "touch") or the responses of a type ("response"), with its log-lift and carryover.</summary>
    internal sealed record RxDriver(string Kind, string Name, double LogLift, double Carryover);

    /// <summary>The scalar parameters the response model needs.</summary>
    public static readonly string[] ResponseScalars =
        ["response_scale_odds", "response_fatigue_log_odds_per_touch", "response_content_match_odds_ratio", "response_affinity_log_odds", "affinity_modifier_offset"];

    /// <summary>The scalar parameters the prescribing model needs.</summary>
    public static readonly string[] RxScalars = ["rx_baseline_multiplier", "rx_patient_volume_sigma", "rx_carryover_months", "rx_noise_sigma", "rx_noise_sigma_per_volatility"];

    public double Scalar(string name) => Scalars[name];

    /// <summary>Months before an Rx month whose drivers still lift it.</summary>
    public int CarryoverMonths => (int)Scalar("rx_carryover_months");

    /// <summary>Names of the response-model parameters this truth lacks (empty when the response checks can run).</summary>
    public IReadOnlyList<string> MissingForResponses()
    {
        var missing = ResponseScalars.Where(k => !Scalars.ContainsKey(k)).ToList();
        if (TierOdds.Count == 0 || Rates.Count == 0)
        {
            missing.Add("response_tier_odds_ratio / response_probability base rates");
        }
        if (CallTypeOdds.Count == 0 || ReactionOdds.Count == 0)
        {
            missing.Add("response_call_type_odds_ratio / response_reaction_odds_ratio");
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
        if (RxDrivers.Count == 0)
        {
            missing.Add("rx_touch_lift / rx_response_lift with their carryover");
        }
        if (SegmentLift.Count == 0 || WriterShare.Count == 0)
        {
            missing.Add("rx_lift_segment_multiplier / rx_writer_share");
        }
        if (Window.Count == 0)
        {
            missing.Add("attribution_window_days");
        }
        return missing;
    }

    /// <summary>Reads the ground truth; null (and the named checks recorded as failed) when the query fails.</summary>
    public static async Task<ValidationTruth?> LoadAsync(CheckRun run, string category)
    {
        var rows = await run.TryQueryAsync([("ground_truth", "The dataset stores the engine's true parameters.")], category, $"""
            SELECT parameter, tier, outcome_type, details->>'stimulus_type', (details->>'base_rate')::float8, value, period,
                   CASE WHEN parameter IN ('scenario_event', 'product_portfolio', 'response_rhythm') THEN details::text END,
                   channel, segment, coalesce(details->>'call_type', details->>'reaction', details->>'specialty')
            FROM {run.C.S}.ground_truth
            WHERE parameter IN ('response_scale_odds', 'response_fatigue_log_odds_per_touch', 'response_content_match_odds_ratio',
                                'response_affinity_log_odds', 'affinity_modifier_offset', 'response_tier_odds_ratio', 'response_call_type_odds_ratio', 'response_reaction_odds_ratio',
                                'latency_mean_days', 'attribution_window_days', 'rx_baseline_multiplier', 'rx_patient_volume_sigma',
                                'rx_carryover_months', 'rx_specialty_volume', 'rx_writer_share', 'rx_lift_segment_multiplier', 'rx_touch_lift',
                                'rx_touch_carryover', 'rx_response_lift', 'rx_response_carryover', 'rx_seasonality', 'rx_noise_sigma',
                                'rx_noise_sigma_per_volatility', 'product_portfolio')
               OR (parameter = 'response_probability' AND details ? 'base_rate')
               OR (parameter = 'scenario_event' AND details->>'type' = 'email_fatigue')
               OR parameter = 'response_rhythm'
            """, r => (Parameter: r.GetString(0), Tier: r.IsDBNull(1) ? null : r.GetString(1), Outcome: r.IsDBNull(2) ? null : r.GetString(2),
                Stimulus: r.IsDBNull(3) ? null : r.GetString(3), BaseRate: r.IsDBNull(4) ? (double?)null : r.GetDouble(4), Value: r.GetDouble(5),
                Period: r.IsDBNull(6) ? null : r.GetString(6), Details: r.IsDBNull(7) ? null : r.GetString(7),
                Channel: r.IsDBNull(8) ? null : r.GetString(8), Segment: r.IsDBNull(9) ? null : r.GetString(9), Key: r.IsDBNull(10) ? null : r.GetString(10)));
        if (rows is null)
        {
            return null;
        }
        string[] scalarNames = [.. ResponseScalars, .. RxScalars];
        Dictionary<string, double> By(string parameter, Func<(string Parameter, string? Tier, string? Outcome, string? Stimulus, double? BaseRate, double Value,
            string? Period, string? Details, string? Channel, string? Segment, string? Key), string?> key) =>
            rows.Where(r => r.Parameter == parameter && key(r) is not null).GroupBy(r => key(r)!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var touchCarry = By("rx_touch_carryover", r => r.Channel);
        var responseCarry = By("rx_response_carryover", r => r.Outcome);
        var drivers = By("rx_touch_lift", r => r.Channel).Where(d => touchCarry.ContainsKey(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new RxDriver("touch", d.Key, d.Value, touchCarry[d.Key]))
            .Concat(By("rx_response_lift", r => r.Outcome).Where(d => responseCarry.ContainsKey(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal)
                .Select(d => new RxDriver("response", d.Key, d.Value, responseCarry[d.Key])))
            .ToList();
        return new ValidationTruth(
            rows.Where(r => scalarNames.Contains(r.Parameter)).GroupBy(r => r.Parameter).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            By("response_tier_odds_ratio", r => r.Tier),
            rows.Where(r => r.Parameter == "response_probability" && r.Stimulus is not null && r.Outcome is not null && r.BaseRate is not null)
                .Select(r => (r.Stimulus!, r.Outcome!, r.BaseRate!.Value)).Distinct().OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList(),
            By("latency_mean_days", r => r.Outcome),
            By("attribution_window_days", r => r.Outcome),
            rows.Where(r => r.Parameter == "scenario_event" && r.Details is not null).Select(r => ParseFatigue(r.Details!)).OfType<FatiguePeriod>().ToList(),
            rows.Where(r => r.Parameter == "rx_seasonality" && int.TryParse(r.Period, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 12)
                .GroupBy(r => int.Parse(r.Period!, CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.First().Value),
            By("response_call_type_odds_ratio", r => r.Key),
            By("response_reaction_odds_ratio", r => r.Key),
            drivers,
            By("rx_lift_segment_multiplier", r => r.Segment),
            By("rx_writer_share", r => r.Segment),
            By("rx_specialty_volume", r => r.Key),
            rows.Where(r => r.Parameter == "product_portfolio" && r.Details is not null).SelectMany(r => ParsePortfolio(r.Details!))
                .GroupBy(x => x.Specialty).ToDictionary(g => g.Key, g => g.First().Product, StringComparer.Ordinal),
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

    private static List<(string Specialty, string Product)> ParsePortfolio(string details)
    {
        using var doc = JsonDocument.Parse(details);
        var e = doc.RootElement;
        if (!e.TryGetProperty("product", out var product) || product.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("specialties", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        var name = product.GetString()!;
        return list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => (Specialty: x.GetString()!, Product: name)).ToList();
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
