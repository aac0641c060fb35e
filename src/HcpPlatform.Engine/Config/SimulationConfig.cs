using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Interventions;

namespace HcpPlatform.Engine.Config;

public sealed class FrequencyRange
{
    public double Min { get; set; }
    public double Max { get; set; }
    public double Mid => (Min + Max) / 2;
}

/// <summary>The Rx lift of one touch or response: its log-lift in its own month, and the share of it carried into each later month.</summary>
public sealed class RxEffect
{
    public double LogLift { get; set; }
    public double Carryover { get; set; }
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

    /// <summary>
    /// Response probabilities by stimulus type (and email_open for the open → click chain: P(click | open)) and outcome type,
    /// at the reference touch: a Tier 2 HCP with channel affinity 0.5, the first touch of its month, no content match, a
    /// "Detail Only" call with a "Neutral" reaction. The modifiers below move a touch's log-odds away from it (logistic model,
    /// no cap). seeds/000 Task 3 gives email_open 0.25, email_click 0.30 (of opens), meeting_scheduled 0.60 and sample_request
    /// 0.40 (rep visit); the defaults keep the spec's click, phone and webinar rates and take email opens and the rep visit's
    /// follow-ups down to what HCP engagement benchmarks report (README, Realism). An email's click is drawn only after its
    /// open, so email_send has no email_click entry.
    /// </summary>
    public Dictionary<string, Dictionary<string, double>> BaseResponseRates { get; set; } = new(StringComparer.Ordinal)
    {
        ["email_send"] = new(StringComparer.Ordinal) { ["email_open"] = 0.14 },
        ["email_open"] = new(StringComparer.Ordinal) { ["email_click"] = 0.30 },
        ["rep_visit"] = new(StringComparer.Ordinal) { ["meeting_scheduled"] = 0.22, ["sample_request"] = 0.18 },
        ["webinar_invite"] = new(StringComparer.Ordinal) { ["webinar_attend"] = 0.15 },
        ["phone_call"] = new(StringComparer.Ordinal) { ["meeting_scheduled"] = 0.20 },
        // Addition: the spec names no response to a conference touch; follow-ups are its natural outcomes.
        ["conference_touch"] = new(StringComparer.Ordinal) { ["meeting_scheduled"] = 0.15, ["sample_request"] = 0.25 },
    };

    /// <summary>Odds ratios by tier (seeds/000's TIER_MODIFIERS, applied to the odds of every response).</summary>
    public Dictionary<string, double> TierModifiers { get; set; } = new(StringComparer.Ordinal)
    {
        ["Tier 1"] = 1.3, ["Tier 2"] = 1.0, ["Tier 3"] = 0.7,
    };

    /// <summary>Log-odds of a response per unit of the HCP's affinity for the touch's channel, from affinity 0.5.</summary>
    public double AffinityLogOdds { get; set; } = 1.2;

    /// <summary>Odds ratios of a sample request after a rep visit, by the call's type (Veeva call types; "Detail Only" is the reference).</summary>
    public Dictionary<string, double> CallTypeSampleOdds { get; set; } = new(StringComparer.Ordinal)
    {
        ["Detail Only"] = 1.0, ["Detail with Sample"] = 2.0, ["Group Detail"] = 0.7, ["Sample Only"] = 2.5,
    };

    /// <summary>Odds ratios of a meeting after a rep visit, by the HCP's reaction to the key message ("Neutral" is the reference).</summary>
    public Dictionary<string, double> ReactionMeetingOdds { get; set; } = new(StringComparer.Ordinal)
    {
        ["Positive"] = 1.8, ["Neutral"] = 1.0, ["Negative"] = 0.3,
    };

    // ---- Volumes (seeds/001 ratios) ----
    public double StimuliPerHcpYear { get; set; } = 40;
    /// <summary>Multiplies the odds of every response (1: the base rates as given).</summary>
    public double ResponseScale { get; set; } = 1.0;

    /// <summary>
    /// The response volume the dataset is held to: outcomes per stimulus, each channel weighted by its configured share of a
    /// year. seeds/001 says 0.20; with benchmark response rates and digital ad impressions (which get no response) at 62% of
    /// touches, the default rates give about this (README, Realism). The engine does not steer towards it: the validator
    /// holds the data to it.
    /// </summary>
    public double OutcomesPerStimulus { get; set; } = 0.09;
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

    /// <summary>Log-odds a response loses per earlier touch of the HCP in the same calendar month (fatigue).</summary>
    public double FatiguePerTouch { get; set; } = 0.04;
    /// <summary>Odds ratio of a response when the touch's content category is the HCP's preferred content.</summary>
    public double ContentMatchMultiplier { get; set; } = 1.25;

    // ---- Prescribing (000 Task 9) ----
    /// <summary>
    /// Mean patients a month an HCP treats in its product's class (seeds/000: baseline = base_conversion_rate × 50): each HCP's
    /// patient_volume is this × the specialty's RxSpecialtyVolume × a lognormal factor of mean 1 and log-sd RxPatientVolumeSigma.
    /// </summary>
    public double RxBaselineMultiplier { get; set; } = 50;

    /// <summary>Log-sd of the HCPs' patient volume (heavy-tailed prescribing: the top decile writes about 40% of the volume).</summary>
    public double RxPatientVolumeSigma { get; set; } = 0.8;

    /// <summary>Patient volume in the product's class by specialty, relative to RxBaselineMultiplier (specialties not listed: 1).</summary>
    public Dictionary<string, double> RxSpecialtyVolume { get; set; } = new(StringComparer.Ordinal)
    {
        ["Oncology"] = 0.5, ["Cardiology"] = 1.3, ["Neurology"] = 0.8, ["Endocrinology"] = 1.4, ["Rheumatology"] = 0.8,
        ["Pulmonology"] = 1.0, ["Gastroenterology"] = 1.0, ["Nephrology"] = 0.7, ["Dermatology"] = 1.3, ["Psychiatry"] = 1.5,
    };

    /// <summary>Share of HCPs who write the brand at all, by segment; the others never do (base_conversion_rate 0: zero-inflation).</summary>
    public Dictionary<string, double> RxWriterShare { get; set; } = new(StringComparer.Ordinal)
    {
        ["High Prescriber"] = 0.97, ["Academic Leader"] = 0.92, ["Growth Potential"] = 0.85,
        ["Engaged Digital"] = 0.85, ["Traditional Preference"] = 0.85, ["New Target"] = 0.60,
    };

    /// <summary>
    /// Rx lift of each delivered touch, by channel: log-lift per touch and the monthly carryover (a touch in month m counts
    /// carryover^j in month m + j, for j up to RxCarryoverMonths). Whether the touch was answered does not matter.
    /// </summary>
    public Dictionary<string, RxEffect> RxTouchLift { get; set; } = new(StringComparer.Ordinal)
    {
        ["email"] = new() { LogLift = 0.005, Carryover = 0.3 },
        ["rep_visit"] = new() { LogLift = 0.05, Carryover = 0.6 },
        ["phone"] = new() { LogLift = 0.02, Carryover = 0.4 },
        ["webinar"] = new() { LogLift = 0.01, Carryover = 0.5 },
        ["digital_ad"] = new() { LogLift = 0.003, Carryover = 0.3 },
        ["conference"] = new() { LogLift = 0.03, Carryover = 0.6 },
    };

    /// <summary>
    /// Rx lift of each engaged response, by outcome type, on top of its touch's (an email open is not engaged: none). Responses
    /// count in the calendar month of their own date.
    /// </summary>
    public Dictionary<string, RxEffect> RxResponseLift { get; set; } = new(StringComparer.Ordinal)
    {
        ["email_click"] = new() { LogLift = 0.04, Carryover = 0.4 },
        ["meeting_scheduled"] = new() { LogLift = 0.05, Carryover = 0.5 },
        ["sample_request"] = new() { LogLift = 0.08, Carryover = 0.5 },
        ["webinar_attend"] = new() { LogLift = 0.06, Carryover = 0.5 },
    };

    /// <summary>How many months after its own a touch or response still lifts Rx (its carryover^j in month m + j).</summary>
    public int RxCarryoverMonths { get; set; } = 2;

    /// <summary>Responsiveness of each segment's Rx to promotion: multiplies the whole log-lift (heterogeneous lift).</summary>
    public Dictionary<string, double> RxLiftBySegment { get; set; } = new(StringComparer.Ordinal)
    {
        ["High Prescriber"] = 0.7, ["Academic Leader"] = 0.5, ["Growth Potential"] = 1.5,
        ["Engaged Digital"] = 1.0, ["Traditional Preference"] = 0.9, ["New Target"] = 1.3,
    };

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
    /// Interventions (seeds/004) in effect on the dataset, applied as pure functions of the day; see
    /// <see cref="Intervention"/>. Null or empty: none, and the output is exactly that without interventions.
    /// Null by default so that configurations without interventions serialise as before.
    /// </summary>
    public List<Intervention>? Interventions { get; set; }

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
                if (!(p > 0 && p < 1))
                {
                    errors.Add($"BaseResponseRates[{stimulus}][{outcome}] must be a probability strictly between 0 and 1 (got {p}): responses follow a logistic model around it.");
                }
            }
        }
        if (BaseResponseRates.TryGetValue("email_send", out var sends) && sends.ContainsKey("email_click"))
        {
            errors.Add("BaseResponseRates[email_send][email_click] is not drawn: a click follows its open, with BaseResponseRates[email_open][email_click] = P(click | open).");
        }
        CheckOdds(errors, "CallTypeSampleOdds", CallTypeSampleOdds, ["Detail Only", "Detail with Sample", "Group Detail", "Sample Only"]);
        CheckOdds(errors, "ReactionMeetingOdds", ReactionMeetingOdds, ["Positive", "Neutral", "Negative"]);
        Finite(errors, nameof(AffinityLogOdds), AffinityLogOdds);
        Finite(errors, nameof(FatiguePerTouch), FatiguePerTouch);
        Positive(errors, nameof(ContentMatchMultiplier), ContentMatchMultiplier);
        Probability(errors, nameof(OutcomesPerStimulus), OutcomesPerStimulus);
        Positive(errors, nameof(RxBaselineMultiplier), RxBaselineMultiplier);
        if (!(RxPatientVolumeSigma >= 0 && RxPatientVolumeSigma <= 3))
        {
            errors.Add($"RxPatientVolumeSigma must be between 0 and 3 (got {RxPatientVolumeSigma}).");
        }
        foreach (var (specialty, v) in RxSpecialtyVolume)
        {
            if (!(v > 0))
            {
                errors.Add($"RxSpecialtyVolume[{specialty}] must be positive (got {v}).");
            }
        }
        foreach (var segment in SegmentChannelAffinity.Keys)
        {
            if (!RxWriterShare.TryGetValue(segment, out var w) || !(w >= 0 && w <= 1))
            {
                errors.Add($"RxWriterShare[{segment}] must be a share between 0 and 1.");
            }
            if (!RxLiftBySegment.TryGetValue(segment, out var r) || !(r >= 0) || double.IsInfinity(r))
            {
                errors.Add($"RxLiftBySegment[{segment}] must be a number >= 0.");
            }
        }
        foreach (var channel in Channels)
        {
            CheckEffect(errors, $"RxTouchLift[{channel}]", RxTouchLift.GetValueOrDefault(channel));
        }
        foreach (var (outcome, effect) in RxResponseLift)
        {
            if (outcome == "email_open" || !BaseResponseRates.Values.Any(o => o.ContainsKey(outcome)))
            {
                errors.Add($"RxResponseLift has \"{outcome}\", which is no engaged response; allowed: the outcome types of BaseResponseRates but email_open.");
            }
            CheckEffect(errors, $"RxResponseLift[{outcome}]", effect);
        }
        if (RxCarryoverMonths is < 0 or > 6)
        {
            errors.Add($"RxCarryoverMonths must be between 0 and 6 (got {RxCarryoverMonths}).");
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
        errors.AddRange(Intervention.Validate(Interventions, this));
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

    private static void CheckOdds(List<string> errors, string name, Dictionary<string, double> odds, string[] keys)
    {
        foreach (var key in keys)
        {
            if (!odds.TryGetValue(key, out var v) || !(v > 0) || double.IsInfinity(v))
            {
                errors.Add($"{name}[{key}] must be a positive odds ratio; {name} needs {string.Join(", ", keys)}.");
            }
        }
        foreach (var key in odds.Keys.Where(k => !keys.Contains(k)))
        {
            errors.Add($"{name} has unknown key \"{key}\"; allowed: {string.Join(", ", keys)}.");
        }
    }

    private static void CheckEffect(List<string> errors, string name, RxEffect? effect)
    {
        if (effect is null)
        {
            errors.Add($"{name} is missing; give LogLift (0 for none) and Carryover.");
        }
        else if (!(Math.Abs(effect.LogLift) <= 1) || !(effect.Carryover >= 0 && effect.Carryover < 1))
        {
            errors.Add($"{name} needs a LogLift between -1 and 1 and a Carryover in [0, 1) (got {effect.LogLift}, {effect.Carryover}).");
        }
    }

    private static void Finite(List<string> errors, string name, double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            errors.Add($"{name} must be a finite number (got {value}).");
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
