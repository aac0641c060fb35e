using HcpPlatform.Engine.Config;

namespace HcpPlatform.Engine.Simulation;

/// <summary>
/// A validated configuration compiled into canonical tables and the derived constants that make the
/// totals land on the configured volumes (channel mix scaled to stimuli per HCP-year, modifiers
/// normalised to mean 1 over the configured population).
/// </summary>
public sealed class SimulationModel
{
    public const string EngineVersion = "1.0.0";

    public SimulationModel(SimulationConfig config)
    {
        var errors = config.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulation configuration: " + string.Join(" ", errors), nameof(config));
        }
        Config = config;
        Faults = config.Faults;
        Specialties = new WeightTable(config.SpecialtyWeights);
        Content = new WeightTable(config.ContentCategories);
        TierBySpecialty = config.TierBySpecialty.ToDictionary(p => p.Key, p => new WeightTable(p.Value), StringComparer.Ordinal);
        SegmentByTier = SimulationConfig.Tiers.Select(t => new WeightTable(config.SegmentByTier[t])).ToArray();
        Segments = SegmentByTier.SelectMany(t => t.Names).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();

        // Population shares implied by the configuration (used to normalise modifiers to mean 1).
        TierShare = new double[3];
        var segmentShare = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var specialty in Specialties.Names)
        {
            var ws = Specialties.ShareOf(specialty);
            var tiers = TierTableFor(specialty);
            for (var t = 0; t < 3; t++)
            {
                var wt = ws * tiers.ShareOf(SimulationConfig.Tiers[t]);
                TierShare[t] += wt;
                foreach (var segment in SegmentByTier[t].Names)
                {
                    segmentShare[segment] = segmentShare.GetValueOrDefault(segment) + wt * SegmentByTier[t].ShareOf(segment);
                }
            }
        }

        SegmentShare = segmentShare;

        var mids = Channel.Names.Select(c => config.ChannelFrequency[c].Mid).ToArray();
        var totalMid = mids.Sum();
        ChannelShare = mids.Select(m => m / totalMid).ToArray();
        MonthlyMean = ChannelShare.Select(s => config.StimuliPerHcpYear * s / 12.0).ToArray();

        AffinityNorm = new double[Channel.Count];
        for (var c = 0; c < Channel.Count; c++)
        {
            var mean = Segments.Sum(s => SegmentShare[s] * config.SegmentChannelAffinity[s][Channel.Names[c]]);
            AffinityNorm[c] = 0.5 + mean;
        }

        // Field volume by tier (tier-1 HCPs are seen most), normalised so each field channel keeps its share. No-see HCPs get
        // no rep visits: the other HCPs of their tier carry the channel's volume (for the others TierVolume is per seeable HCP).
        var fieldTier = SimulationConfig.Tiers.Select(t => config.FieldTierVolume[t]).ToArray();
        NoSeeShare = SimulationConfig.Tiers.Select(t => config.NoSeeShare[t]).ToArray();
        var phoneNorm = Enumerable.Range(0, 3).Sum(t => TierShare[t] * fieldTier[t]);
        var visitNorm = Enumerable.Range(0, 3).Sum(t => TierShare[t] * fieldTier[t] * (1 - NoSeeShare[t]));
        TierVolume = new double[Channel.Count, 3];
        for (var c = 0; c < Channel.Count; c++)
        {
            for (var t = 0; t < 3; t++)
            {
                TierVolume[c, t] = c == Channel.RepVisit ? fieldTier[t] / visitNorm : c == Channel.Phone ? fieldTier[t] / phoneNorm : 1.0;
            }
        }

        // Quarter-end push: Mar/Jun/Sep/Dec carry more field and email volume; other months give it back.
        QuarterFactor = new double[Channel.Count, 12];
        var q = config.QuarterEndMultiplier;
        var rest = (12 - 4 * q) / 8;
        for (var c = 0; c < Channel.Count; c++)
        {
            for (var m = 0; m < 12; m++)
            {
                QuarterFactor[c, m] = IsQuarterPushChannel(c) ? (IsQuarterEndMonth(m + 1) ? q : rest) : 1.0;
            }
        }

        // Conference touches come from congress attendance: 1–3 touches (mean 2) per attended congress.
        CongressAttendance = Math.Min(1.0, config.StimuliPerHcpYear * ChannelShare[Channel.Conference] / 2.0);
    }

    public SimulationConfig Config { get; }
    public WeightTable Specialties { get; }
    public WeightTable Content { get; }
    public IReadOnlyDictionary<string, WeightTable> TierBySpecialty { get; }
    public WeightTable[] SegmentByTier { get; }
    public string[] Segments { get; }
    public double[] TierShare { get; }
    public IReadOnlyDictionary<string, double> SegmentShare { get; }
    public double[] ChannelShare { get; }
    public double[] MonthlyMean { get; }
    public double[] AffinityNorm { get; }
    /// <summary>Volume multiplier by channel and tier (field channels only; for rep visits, per HCP who sees reps).</summary>
    public double[,] TierVolume { get; }
    /// <summary>Share of each tier (index) that sees no rep.</summary>
    public double[] NoSeeShare { get; }
    public double[,] QuarterFactor { get; }
    public double CongressAttendance { get; }

    /// <summary>Deliberate defects switched on by a fault-injection test; the generators read this once.</summary>
    internal EngineFault Faults { get; }

    internal bool Has(EngineFault fault) => (Faults & fault) != 0;

    public WeightTable TierTableFor(string specialty) =>
        TierBySpecialty.TryGetValue(specialty, out var t) ? t : TierBySpecialty["default"];

    public static bool IsFieldChannel(int channel) => channel is Channel.RepVisit or Channel.Phone;

    public static bool IsQuarterPushChannel(int channel) => channel is Channel.RepVisit or Channel.Phone or Channel.Email;

    public static bool IsQuarterEndMonth(int month) => month % 3 == 0;

    public static int TierIndex(string tier) => Array.IndexOf(SimulationConfig.Tiers, tier);

    /// <summary>Campaigns per year for a population: 30 + 10 per 1,000 HCPs (seeds/001).</summary>
    public double CampaignsPerYear(int hcpCount) =>
        Config.CampaignsBase + Config.CampaignsPerThousandHcps * hcpCount / 1000.0;
}
