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

        TierOdds = rows.Where(r => r.Parameter == "response_tier_odds_ratio").ToDictionary(r => r.Tier!, r => r.Value, StringComparer.Ordinal);
        Rates = rows.Where(r => r.Parameter == "response_probability")
            .Select(r => (Stimulus: JsonDocument.Parse(r.Details!).RootElement.GetProperty("stimulus_type").GetString()!, Outcome: r.OutcomeType!,
                BaseRate: JsonDocument.Parse(r.Details!).RootElement.GetProperty("base_rate").GetDouble()))
            .Distinct().ToList();
        ScaleOdds = Scalar("response_scale_odds");
        FatigueLogOdds = Scalar("response_fatigue_log_odds_per_touch");
        ContentMatchOdds = Scalar("response_content_match_odds_ratio");
        AffinityLogOdds = Scalar("response_affinity_log_odds");
        AffinityOffset = Scalar("affinity_modifier_offset");
        CallTypeOdds = rows.Where(r => r.Parameter == "response_call_type_odds_ratio")
            .ToDictionary(r => JsonDocument.Parse(r.Details!).RootElement.GetProperty("call_type").GetString()!, r => r.Value, StringComparer.Ordinal);
        ReactionOdds = rows.Where(r => r.Parameter == "response_reaction_odds_ratio")
            .ToDictionary(r => JsonDocument.Parse(r.Details!).RootElement.GetProperty("reaction").GetString()!, r => r.Value, StringComparer.Ordinal);
        LatencyMean = rows.Where(r => r.Parameter == "latency_mean_days").ToDictionary(r => r.OutcomeType!, r => r.Value, StringComparer.Ordinal);
        Window = rows.Where(r => r.Parameter == "attribution_window_days").ToDictionary(r => r.OutcomeType!, r => r.Value, StringComparer.Ordinal);

        RxBaseline = Scalar("rx_baseline_multiplier");
        PatientVolumeSigma = Scalar("rx_patient_volume_sigma");
        SpecialtyVolume = rows.Where(r => r.Parameter == "rx_specialty_volume")
            .ToDictionary(r => JsonDocument.Parse(r.Details!).RootElement.GetProperty("specialty").GetString()!, r => r.Value, StringComparer.Ordinal);
        WriterShare = rows.Where(r => r.Parameter == "rx_writer_share").ToDictionary(r => r.Segment!, r => r.Value, StringComparer.Ordinal);
        SegmentLift = rows.Where(r => r.Parameter == "rx_lift_segment_multiplier").ToDictionary(r => r.Segment!, r => r.Value, StringComparer.Ordinal);
        CarryoverMonths = (int)Scalar("rx_carryover_months");
        TouchLift = rows.Where(r => r.Parameter == "rx_touch_lift").ToDictionary(r => r.Channel!, r => r.Value, StringComparer.Ordinal);
        TouchCarryover = rows.Where(r => r.Parameter == "rx_touch_carryover").ToDictionary(r => r.Channel!, r => r.Value, StringComparer.Ordinal);
        ResponseLift = rows.Where(r => r.Parameter == "rx_response_lift").ToDictionary(r => r.OutcomeType!, r => r.Value, StringComparer.Ordinal);
        ResponseCarryover = rows.Where(r => r.Parameter == "rx_response_carryover").ToDictionary(r => r.OutcomeType!, r => r.Value, StringComparer.Ordinal);
        Seasonality = new double[12];
        foreach (var r in rows.Where(r => r.Parameter == "rx_seasonality"))
        {
            Seasonality[int.Parse(r.Period!, CultureInfo.InvariantCulture) - 1] = r.Value;
        }
        RxNoiseSigma = Scalar("rx_noise_sigma");
        RxNoiseSigmaPerVolatility = Scalar("rx_noise_sigma_per_volatility");
        Products = rows.Where(r => r.Parameter == "product_portfolio")
            .SelectMany(r =>
            {
                var d = JsonDocument.Parse(r.Details!).RootElement;
                var product = d.GetProperty("product").GetString()!;
                return d.GetProperty("specialties").EnumerateArray().Select(x => (Specialty: x.GetString()!, Product: product));
            })
            .ToDictionary(x => x.Specialty, x => x.Product, StringComparer.Ordinal);

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

    public IReadOnlyDictionary<string, double> TierOdds { get; }
    /// <summary>(stimulus type, outcome, base rate); email_open → email_click is P(click | open).</summary>
    public IReadOnlyList<(string Stimulus, string Outcome, double BaseRate)> Rates { get; }
    public double ScaleOdds { get; }
    public double FatigueLogOdds { get; }
    public double ContentMatchOdds { get; }
    public double AffinityLogOdds { get; }
    /// <summary>Touch volumes are proportional to this + the HCP's channel affinity.</summary>
    public double AffinityOffset { get; }
    public IReadOnlyDictionary<string, double> CallTypeOdds { get; }
    public IReadOnlyDictionary<string, double> ReactionOdds { get; }
    public IReadOnlyDictionary<string, double> LatencyMean { get; }
    public IReadOnlyDictionary<string, double> Window { get; }
    public double RxBaseline { get; }
    public double PatientVolumeSigma { get; }
    public IReadOnlyDictionary<string, double> SpecialtyVolume { get; }
    public IReadOnlyDictionary<string, double> WriterShare { get; }
    public IReadOnlyDictionary<string, double> SegmentLift { get; }
    public int CarryoverMonths { get; }
    public IReadOnlyDictionary<string, double> TouchLift { get; }
    public IReadOnlyDictionary<string, double> TouchCarryover { get; }
    /// <summary>Engaged response types and their log-lift (email_open stated as 0).</summary>
    public IReadOnlyDictionary<string, double> ResponseLift { get; }
    public IReadOnlyDictionary<string, double> ResponseCarryover { get; }
    public double[] Seasonality { get; }
    public double RxNoiseSigma { get; }
    public double RxNoiseSigmaPerVolatility { get; }
    /// <summary>The brand of each specialty (product_portfolio).</summary>
    public IReadOnlyDictionary<string, string> Products { get; }
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

    /// <summary>The log-odds of a response at a base rate: logit(p).</summary>
    public static double Logit(double p) => Math.Log(p / (1 - p));

    public static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>
    /// The Rx drivers in a fixed order, each with its log-lift and carryover: the touches of each channel, then the responses
    /// of each type with a lift row (email_open's stated 0 included: it changes nothing).
    /// </summary>
    public IReadOnlyList<(string Kind, string Name, double Lift, double Carryover)> Drivers =>
    [
        .. TouchLift.Keys.Order(StringComparer.Ordinal).Select(c => ("touch", c, TouchLift[c], TouchCarryover[c])),
        .. ResponseLift.Keys.Where(ResponseCarryover.ContainsKey).Order(StringComparer.Ordinal).Select(o => ("response", o, ResponseLift[o], ResponseCarryover[o])),
    ];
}
