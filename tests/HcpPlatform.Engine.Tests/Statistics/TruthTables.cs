using System.Globalization;
using System.Text.Json;
using HcpPlatform.Engine.Model;

namespace HcpPlatform.Engine.Tests.Statistics;

/// <summary>
/// The ground truth stored with a dataset, read back into the tables the statistical checks need. Expectations are
/// computed from these, never from the generators, so a generator that departs from its stated model is caught.
/// </summary>
internal sealed class TruthTables
{
    public TruthTables(IReadOnlyList<GroundTruthParameter> rows)
    {
        double Scalar(string name) => rows.First(r => r.Parameter == name).Value;
        JsonElement Details(string name) => JsonDocument.Parse(rows.First(r => r.Parameter == name).Details!).RootElement.Clone();

        TierModifier = rows.Where(r => r.Parameter == "tier_modifier").ToDictionary(r => r.Tier!, r => r.Value, StringComparer.Ordinal);
        Rates = rows.Where(r => r.Parameter == "response_probability")
            .Select(r => (Stimulus: JsonDocument.Parse(r.Details!).RootElement.GetProperty("stimulus_type").GetString()!, Outcome: r.OutcomeType!,
                BaseRate: JsonDocument.Parse(r.Details!).RootElement.GetProperty("base_rate").GetDouble()))
            .Distinct().ToList();
        ResponseScale = Scalar("response_scale");
        FatiguePerTouch = Scalar("fatigue_per_touch");
        ContentMatch = Scalar("content_match_multiplier");
        AffinityOffset = Scalar("affinity_modifier_offset");
        MaxProbability = Scalar("max_response_probability");
        LatencyMean = rows.Where(r => r.Parameter == "latency_mean_days").ToDictionary(r => r.OutcomeType!, r => r.Value, StringComparer.Ordinal);
        Window = rows.Where(r => r.Parameter == "attribution_window_days").ToDictionary(r => r.OutcomeType!, r => r.Value, StringComparer.Ordinal);

        RxBaseline = Scalar("rx_baseline_multiplier");
        RxLiftPerResponse = Scalar("rx_lift_per_engaged_response");
        RxLiftCap = Scalar("rx_lift_cap");
        var lift = Details("rx_lift_per_engaged_response");
        RxLookbackDays = lift.GetProperty("lookback_days").GetInt32();
        Engaged = lift.GetProperty("engaged").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        Seasonality = new double[12];
        foreach (var r in rows.Where(r => r.Parameter == "rx_seasonality"))
        {
            Seasonality[int.Parse(r.Period!, CultureInfo.InvariantCulture) - 1] = r.Value;
        }
        RxNoiseSigma = Scalar("rx_noise_sigma");
        RxNoiseSigmaPerVolatility = Scalar("rx_noise_sigma_per_volatility");

        ChannelShare = rows.Where(r => r.Parameter == "channel_mix_share").ToDictionary(r => r.Channel!, r => r.Value, StringComparer.Ordinal);
        ContentShare = rows.Where(r => r.Parameter == "content_mix_share")
            .ToDictionary(r => JsonDocument.Parse(r.Details!).RootElement.GetProperty("content_category").GetString()!, r => r.Value, StringComparer.Ordinal);
        StimuliPerHcpYear = Scalar("stimuli_per_hcp_year");
        QuarterEndMultiplier = Scalar("quarter_end_multiplier");
        var quarter = Details("quarter_end_multiplier");
        QuarterEndMonths = quarter.GetProperty("months").EnumerateArray().Select(e => e.GetInt32()).ToHashSet();
        QuarterEndChannels = quarter.GetProperty("channels").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        WebinarLeadDays = (int)Scalar("webinar_invite_lead_days");
        EmailBatchSize = (int)Scalar("email_batch_size");
    }

    public IReadOnlyDictionary<string, double> TierModifier { get; }
    /// <summary>(stimulus type, outcome, base rate); email_open → email_click is P(click | open).</summary>
    public IReadOnlyList<(string Stimulus, string Outcome, double BaseRate)> Rates { get; }
    public double ResponseScale { get; }
    public double FatiguePerTouch { get; }
    public double ContentMatch { get; }
    public double AffinityOffset { get; }
    public double MaxProbability { get; }
    public IReadOnlyDictionary<string, double> LatencyMean { get; }
    public IReadOnlyDictionary<string, double> Window { get; }
    public double RxBaseline { get; }
    public double RxLiftPerResponse { get; }
    public double RxLiftCap { get; }
    public int RxLookbackDays { get; }
    public IReadOnlySet<string> Engaged { get; }
    public double[] Seasonality { get; }
    public double RxNoiseSigma { get; }
    public double RxNoiseSigmaPerVolatility { get; }
    public IReadOnlyDictionary<string, double> ChannelShare { get; }
    public IReadOnlyDictionary<string, double> ContentShare { get; }
    public double StimuliPerHcpYear { get; }
    public double QuarterEndMultiplier { get; }
    public IReadOnlySet<int> QuarterEndMonths { get; }
    public IReadOnlySet<string> QuarterEndChannels { get; }
    public int WebinarLeadDays { get; }
    public int EmailBatchSize { get; }

    /// <summary>A pushed channel's volume factor in a month: the multiplier at quarter end, what the other months give back otherwise.</summary>
    public double MonthFactor(string channel, int month)
    {
        if (!QuarterEndChannels.Contains(channel))
        {
            return 1;
        }
        var rest = (12 - QuarterEndMonths.Count * QuarterEndMultiplier) / (12 - QuarterEndMonths.Count);
        return QuarterEndMonths.Contains(month) ? QuarterEndMultiplier : rest;
    }

    public double Lift(int engaged) => 1 + Math.Min(RxLiftCap, RxLiftPerResponse * engaged);
}
