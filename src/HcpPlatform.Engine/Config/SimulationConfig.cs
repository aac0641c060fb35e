using HcpPlatform.Engine.Dynamics;

namespace HcpPlatform.Engine.Config;

public sealed class FrequencyRange
{
    public double Min { get; set; }
    public double Max { get; set; }
    public double Mid => (Min + Max) / 2;
}

/// <summary>
/// Every weight and rule of the simulation. Defaults are seeds/000 Task 3 verbatim, plus the documented
/// additions the spec leaves open (volumes, latencies, windows, temporal patterns). Bindable from
/// configuration section "Simulation"; call <see cref="Validate"/> before use.
/// </summary>
public sealed class SimulationConfig
{
    public const string SectionName = "Simulation";

    public static readonly string[] Channels = ["email", "rep_visit", "phone", "webinar", "digital_ad", "conference"];
    public static readonly string[] Tiers = ["Tier 1", "Tier 2", "Tier 3"];

    // ---- 000 Task 3 ----
    public Dictionary<string, double> SpecialtyWeights { get; set; } = new(StringComparer.Ordinal)
    {
        ["Oncology"] = 0.15, ["Cardiology"] = 0.12, ["Neurology"] = 0.10, ["Endocrinology"] = 0.10,
        ["Rheumatology"] = 0.08, ["Pulmonology"] = 0.08, ["Gastroenterology"] = 0.10, ["Nephrology"] = 0.08,
        ["Dermatology"] = 0.10, ["Psychiatry"] = 0.09,
    };

    /// <summary>Tier distribution per specialty; key "default" applies to specialties not listed.</summary>
    public Dictionary<string, Dictionary<string, double>> TierBySpecialty { get; set; } = new(StringComparer.Ordinal)
    {
        ["Oncology"] = new(StringComparer.Ordinal) { ["Tier 1"] = 0.30, ["Tier 2"] = 0.40, ["Tier 3"] = 0.30 },
        ["Cardiology"] = new(StringComparer.Ordinal) { ["Tier 1"] = 0.25, ["Tier 2"] = 0.35, ["Tier 3"] = 0.40 },
        ["default"] = new(StringComparer.Ordinal) { ["Tier 1"] = 0.20, ["Tier 2"] = 0.35, ["Tier 3"] = 0.45 },
    };

    public Dictionary<string, Dictionary<string, double>> SegmentByTier { get; set; } = new(StringComparer.Ordinal)
    {
        ["Tier 1"] = new(StringComparer.Ordinal) { ["High Prescriber"] = 0.50, ["Academic Leader"] = 0.30, ["Growth Potential"] = 0.20 },
        ["Tier 2"] = new(StringComparer.Ordinal) { ["Growth Potential"] = 0.40, ["Engaged Digital"] = 0.30, ["High Prescriber"] = 0.30 },
        ["Tier 3"] = new(StringComparer.Ordinal) { ["New Target"] = 0.40, ["Traditional Preference"] = 0.35, ["Engaged Digital"] = 0.25 },
    };

    /// <summary>Touches per HCP per month by channel. Sets the channel mix; totals are scaled to <see cref="StimuliPerHcpYear"/>.</summary>
    public Dictionary<string, FrequencyRange> ChannelFrequency { get; set; } = new(StringComparer.Ordinal)
    {
        ["email"] = new() { Min = 2, Max = 6 },
        ["rep_visit"] = new() { Min = 0, Max = 2 },
        ["phone"] = new() { Min = 0, Max = 1 },
        ["webinar"] = new() { Min = 0, Max = 1 },
        ["digital_ad"] = new() { Min = 5, Max = 15 },
        ["conference"] = new() { Min = 0, Max = 0.25 },
    };

    public Dictionary<string, double> ContentCategories { get; set; } = new(StringComparer.Ordinal)
    {
        ["clinical_data"] = 0.30, ["patient_outcomes"] = 0.25, ["access_savings"] = 0.20,
        ["peer_perspective"] = 0.15, ["product_update"] = 0.10,
    };

    /// <summary>Response probabilities by stimulus type (and email_open for the open → click chain) and outcome type.</summary>
    public Dictionary<string, Dictionary<string, double>> BaseResponseRates { get; set; } = new(StringComparer.Ordinal)
    {
        ["email_send"] = new(StringComparer.Ordinal) { ["email_open"] = 0.25, ["email_click"] = 0.08 },
        ["email_open"] = new(StringComparer.Ordinal) { ["email_click"] = 0.30 },
        ["rep_visit"] = new(StringComparer.Ordinal) { ["meeting_scheduled"] = 0.60, ["sample_request"] = 0.40 },
        ["webinar_invite"] = new(StringComparer.Ordinal) { ["webinar_attend"] = 0.15 },
        ["phone_call"] = new(StringComparer.Ordinal) { ["meeting_scheduled"] = 0.20 },
        // Addition: the spec names no response to a conference touch; follow-ups are its natural outcomes.
        ["conference_touch"] = new(StringComparer.Ordinal) { ["meeting_scheduled"] = 0.15, ["sample_request"] = 0.25 },
    };

    public Dictionary<string, double> TierModifiers { get; set; } = new(StringComparer.Ordinal)
    {
        ["Tier 1"] = 1.3, ["Tier 2"] = 1.0, ["Tier 3"] = 0.7,
    };

    // ---- Volumes (seeds/001 ratios) ----
    public double StimuliPerHcpYear { get; set; } = 40;
    /// <summary>Multiplies every response probability so outcomes land near 20% of stimuli with the spec's base rates.</summary>
    public double ResponseScale { get; set; } = 1.2;
    /// <summary>
    /// HCPs in a primary rep's territory (reps per region = round(region's HCPs / HcpsPerRep), at least one). seeds/001
    /// says about 10; at the spec's 2.5 rep visits per HCP-year that is 25 calls a rep-year. The default follows field
    /// practice instead: a specialty rep covering a few hundred HCPs makes 4–6 calls a day on most weekdays.
    /// </summary>
    public double HcpsPerRep { get; set; } = 400;
    /// <summary>Secondary (overlay) assignments as a share of HCPs: territory rows ≈ (1 + share) × HCPs.</summary>
    public double OverlayShare { get; set; } = 0.25;
    /// <summary>Primary territories one overlay (specialty) rep covers: overlay reps per region = round(primary reps / this), at least one.</summary>
    public double OverlayTerritoriesPerRep { get; set; } = 3;
    public double CampaignsBase { get; set; } = 30;
    public double CampaignsPerThousandHcps { get; set; } = 10;
    public int MaxConcurrentCampaigns { get; set; } = 3;
    public int CampaignMinDays { get; set; } = 14;
    public int CampaignMaxDays { get; set; } = 90;
    /// <summary>Share of the HCPs in a campaign's target segments it enrolls. Every enrolled HCP gets every send of the campaign.</summary>
    public double EnrollmentRate { get; set; } = 0.12;
    /// <summary>Share of the congress's specialty a Congress Program campaign enrolls (all segments).</summary>
    public double CongressProgramEnrollmentRate { get; set; } = 0.5;
    /// <summary>Days between a campaign's email sends (the first on its send weekday, Tue–Thu, on or after its start).</summary>
    public int CampaignSendIntervalDays { get; set; } = 14;

    // ---- Field force: tier-driven targeting ----
    /// <summary>Relative field volume (rep visits and phone calls) by tier; normalised so the channel keeps its configured share.</summary>
    public Dictionary<string, double> FieldTierVolume { get; set; } = new(StringComparer.Ordinal)
    {
        ["Tier 1"] = 4.0, ["Tier 2"] = 1.0, ["Tier 3"] = 0.3,
    };
    /// <summary>Share of each tier that sees no rep ("no-see": rep_visit max_contacts_per_month 0), reached by other channels.</summary>
    public Dictionary<string, double> NoSeeShare { get; set; } = new(StringComparer.Ordinal)
    {
        ["Tier 1"] = 0.0, ["Tier 2"] = 0.05, ["Tier 3"] = 0.40,
    };
    /// <summary>Visits a rep's route day is sized for (a state's HCPs split into route days of about this many calls).</summary>
    public double CallsPerFieldDay { get; set; } = 6;

    // ---- Email addresses ----
    /// <summary>
    /// An HCP's email address lapses this often a year (a lapse lasts 14–28 days): the first email or webinar invitation
    /// sent in a lapse hard-bounces and the address is suppressed until the lapse ends.
    /// </summary>
    public double AddressLapsesPerYear { get; set; } = 0.2;

    // ---- Temporal patterns (000 Task 7) ----
    public int EmailBatchSize { get; set; } = 500;
    public int WebinarInviteLeadDays { get; set; } = 14;
    public double QuarterEndMultiplier { get; set; } = 1.3;
    public int MaxRepVisitsPerDay { get; set; } = 10;
    /// <summary>Phone calls a rep makes in a day at most (channel_capacity calls_per_rep).</summary>
    public int MaxRepCallsPerDay { get; set; } = 30;

    // ---- Outcomes (000 Task 8) ----
    public Dictionary<string, double> LatencyMeanDays { get; set; } = new(StringComparer.Ordinal)
    {
        ["email_open"] = 0.5, ["email_click"] = 1.0, ["meeting_scheduled"] = 3.0, ["sample_request"] = 2.0,
    };

    public Dictionary<string, int> AttributionWindowDays { get; set; } = new(StringComparer.Ordinal)
    {
        ["email_open"] = 7, ["email_click"] = 14, ["meeting_scheduled"] = 30, ["sample_request"] = 30, ["webinar_attend"] = 15,
    };

    public double FatiguePerTouch { get; set; } = 0.04;
    public double ContentMatchMultiplier { get; set; } = 1.25;

    // ---- Prescribing (000 Task 9) ----
    public double RxBaselineMultiplier { get; set; } = 50;
    public double RxLiftPerResponse { get; set; } = 0.10;
    public double RxLiftCap { get; set; } = 0.30;
    /// <summary>Monthly multipliers, January first: Q1 high, Q3 low, Q4 high.</summary>
    public double[] RxSeasonality { get; set; } = [1.12, 1.10, 1.08, 1.00, 1.00, 0.98, 0.88, 0.86, 0.90, 1.04, 1.06, 1.08];

    /// <summary>Mean channel affinity by segment (the segment × channel effect); individual HCPs vary around it.</summary>
    public Dictionary<string, Dictionary<string, double>> SegmentChannelAffinity { get; set; } = new(StringComparer.Ordinal)
    {
        ["High Prescriber"] = Affinities(0.45, 0.75, 0.55, 0.40, 0.40, 0.55),
        ["Academic Leader"] = Affinities(0.50, 0.50, 0.35, 0.75, 0.35, 0.80),
        ["Growth Potential"] = Affinities(0.55, 0.60, 0.50, 0.50, 0.50, 0.40),
        ["Engaged Digital"] = Affinities(0.75, 0.35, 0.30, 0.65, 0.75, 0.35),
        ["Traditional Preference"] = Affinities(0.30, 0.80, 0.65, 0.25, 0.25, 0.45),
        ["New Target"] = Affinities(0.45, 0.45, 0.40, 0.40, 0.55, 0.30),
    };

    // ---- Scenario dynamics (seeds/002 "patterns emerge") ----
    /// <summary>
    /// Injected events (product_launch, email_fatigue, territory_change, seasonal_dip), applied as pure functions of
    /// the day; see <see cref="ScenarioEvent"/>. Null or empty: none, and the output is exactly that of no dynamics.
    /// Null by default so that configurations without events serialise as before.
    /// </summary>
    public List<ScenarioEvent>? Events { get; set; }

    /// <summary>
    /// Test seam: defects the fault-injection tests switch on (see <see cref="Simulation.EngineFault"/>). Internal, so
    /// configuration binding and JSON never see it; <see cref="Simulation.EngineFault.None"/> in every real run.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal Simulation.EngineFault Faults { get; set; }

    private static Dictionary<string, double> Affinities(double email, double rep, double phone, double webinar, double ad, double conference) =>
        new(StringComparer.Ordinal)
        {
            ["email"] = email, ["rep_visit"] = rep, ["phone"] = phone,
            ["webinar"] = webinar, ["digital_ad"] = ad, ["conference"] = conference,
        };

    /// <summary>All problems with this configuration, each naming the setting and what is allowed; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        CheckWeights(errors, "SpecialtyWeights", SpecialtyWeights);
        CheckWeights(errors, "ContentCategories", ContentCategories);
        if (!TierBySpecialty.ContainsKey("default"))
        {
            errors.Add("TierBySpecialty must have a \"default\" entry.");
        }
        foreach (var (specialty, tiers) in TierBySpecialty)
        {
            CheckWeights(errors, $"TierBySpecialty[{specialty}]", tiers);
            foreach (var tier in tiers.Keys.Where(t => !Tiers.Contains(t)))
            {
                errors.Add($"TierBySpecialty[{specialty}] has unknown tier \"{tier}\"; allowed: {string.Join(", ", Tiers)}.");
            }
        }
        foreach (var tier in Tiers)
        {
            if (!SegmentByTier.TryGetValue(tier, out var segments))
            {
                errors.Add($"SegmentByTier has no entry for \"{tier}\".");
                continue;
            }
            CheckWeights(errors, $"SegmentByTier[{tier}]", segments);
            foreach (var segment in segments.Keys.Where(s => !SegmentChannelAffinity.ContainsKey(s)))
            {
                errors.Add($"Segment \"{segment}\" has no SegmentChannelAffinity entry.");
            }
            if (!TierModifiers.TryGetValue(tier, out var m) || m <= 0)
            {
                errors.Add($"TierModifiers[{tier}] must be a positive number.");
            }
        }
        foreach (var channel in Channels)
        {
            if (!ChannelFrequency.TryGetValue(channel, out var f))
            {
                errors.Add($"ChannelFrequency has no entry for \"{channel}\"; required channels: {string.Join(", ", Channels)}.");
            }
            else if (f.Min < 0 || f.Max < f.Min)
            {
                errors.Add($"ChannelFrequency[{channel}] needs 0 <= Min <= Max (got {f.Min}..{f.Max}).");
            }
        }
        foreach (var (segment, affinities) in SegmentChannelAffinity)
        {
            foreach (var channel in Channels)
            {
                if (!affinities.TryGetValue(channel, out var a) || a is < 0 or > 1)
                {
                    errors.Add($"SegmentChannelAffinity[{segment}][{channel}] must be between 0 and 1.");
                }
            }
        }
        foreach (var (stimulus, outcomes) in BaseResponseRates)
        {
            foreach (var (outcome, p) in outcomes)
            {
                if (p is < 0 or > 1)
                {
                    errors.Add($"BaseResponseRates[{stimulus}][{outcome}] must be a probability between 0 and 1 (got {p}).");
                }
            }
        }
        foreach (var (outcome, mean) in LatencyMeanDays)
        {
            if (mean <= 0)
            {
                errors.Add($"LatencyMeanDays[{outcome}] must be positive.");
            }
            if (!AttributionWindowDays.TryGetValue(outcome, out var w) || w <= mean)
            {
                errors.Add($"AttributionWindowDays[{outcome}] must exist and exceed the mean latency.");
            }
        }
        Positive(errors, nameof(StimuliPerHcpYear), StimuliPerHcpYear);
        Positive(errors, nameof(ResponseScale), ResponseScale);
        Positive(errors, nameof(HcpsPerRep), HcpsPerRep);
        Probability(errors, nameof(OverlayShare), OverlayShare);
        Positive(errors, nameof(OverlayTerritoriesPerRep), OverlayTerritoriesPerRep);
        Probability(errors, nameof(EnrollmentRate), EnrollmentRate);
        Probability(errors, nameof(CongressProgramEnrollmentRate), CongressProgramEnrollmentRate);
        if (CampaignSendIntervalDays is < 7 or > 28)
        {
            errors.Add($"CampaignSendIntervalDays must be between 7 and 28 (got {CampaignSendIntervalDays}).");
        }
        foreach (var tier in Tiers)
        {
            if (!FieldTierVolume.TryGetValue(tier, out var v) || !(v > 0))
            {
                errors.Add($"FieldTierVolume[{tier}] must be a positive number.");
            }
            if (!NoSeeShare.TryGetValue(tier, out var n) || n is < 0 or >= 1 || double.IsNaN(n))
            {
                errors.Add($"NoSeeShare[{tier}] must be at least 0 and below 1.");
            }
        }
        if (CallsPerFieldDay < 1 || CallsPerFieldDay > MaxRepVisitsPerDay)
        {
            errors.Add($"CallsPerFieldDay must be between 1 and MaxRepVisitsPerDay ({MaxRepVisitsPerDay}) (got {CallsPerFieldDay}).");
        }
        if (AddressLapsesPerYear is < 0 or > 6 || double.IsNaN(AddressLapsesPerYear))
        {
            errors.Add($"AddressLapsesPerYear must be between 0 and 6 (got {AddressLapsesPerYear}).");
        }
        Probability(errors, nameof(FatiguePerTouch), FatiguePerTouch);
        if (MaxConcurrentCampaigns < 1)
        {
            errors.Add("MaxConcurrentCampaigns must be at least 1.");
        }
        if (CampaignMinDays < 1 || CampaignMaxDays < CampaignMinDays)
        {
            errors.Add("Campaign durations need 1 <= CampaignMinDays <= CampaignMaxDays.");
        }
        if (EmailBatchSize < 1)
        {
            errors.Add("EmailBatchSize must be at least 1.");
        }
        if (WebinarInviteLeadDays is < 1 or > 28)
        {
            errors.Add("WebinarInviteLeadDays must be between 1 and 28.");
        }
        if (MaxRepVisitsPerDay < 1 || MaxRepCallsPerDay < 1)
        {
            errors.Add("MaxRepVisitsPerDay and MaxRepCallsPerDay must be at least 1.");
        }
        if (RxSeasonality.Length != 12 || RxSeasonality.Any(s => s <= 0))
        {
            errors.Add("RxSeasonality needs 12 positive monthly multipliers, January first.");
        }
        errors.AddRange(ScenarioEvent.Validate(Events)); // scenario dynamics
        return errors;
    }

    private static void CheckWeights(List<string> errors, string name, Dictionary<string, double> weights)
    {
        if (weights.Count == 0)
        {
            errors.Add($"{name} is empty; it needs at least one weight.");
            return;
        }
        if (weights.Values.Any(w => w < 0 || double.IsNaN(w)))
        {
            errors.Add($"{name} has a negative weight; weights must be >= 0.");
        }
        var sum = weights.Values.Sum();
        if (Math.Abs(sum - 1.0) > 1e-6)
        {
            errors.Add($"{name} weights sum to {sum:0.######}; they must sum to 1.");
        }
    }

    private static void Positive(List<string> errors, string name, double value)
    {
        if (!(value > 0))
        {
            errors.Add($"{name} must be positive (got {value}).");
        }
    }

    private static void Probability(List<string> errors, string name, double value)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
        {
            errors.Add($"{name} must be between 0 and 1 (got {value}).");
        }
    }
}
