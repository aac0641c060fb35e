using System.Globalization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;

namespace HcpPlatform.Engine.Simulation;

/// <summary>
/// The true parameters behind a dataset, stored with it so attribution, uplift and MMM models can be scored against known
/// truth, each row stating its rule in full (a scorer needs no code). Responses: a logistic model with no cap, whose log-odds
/// are logit(base rate) plus the modifiers listed beside it; response_probability gives the probability per stimulus type ×
/// outcome × tier × segment (the cells that occur) at the segment's mean affinity, for the first touch of a month with no
/// content match (a rep visit: a "Detail Only" call, "Neutral" reaction); a conditional probability says so. Prescribing: the
/// formula of <see cref="RxGenerator"/>, every driver's lift and carryover listed, zero effects included.
/// </summary>
public static class GroundTruth
{
    public static IReadOnlyList<GroundTruthParameter> Build(SimulationModel model, long seed)
    {
        var cfg = model.Config;
        var rows = new List<GroundTruthParameter>();
        var n = 0;
        // Rows get sequential ids in one key space; rows added after the scenario events (whose number varies) get theirs in
        // another, so that no row's id depends on how many events a configuration has.
        var keySpace = -1L;
        void Add(string parameter, double value, string? channel = null, string? tier = null, string? segment = null,
            string? outcome = null, string? period = null, string? details = null) =>
            rows.Add(new GroundTruthParameter
            {
                Id = DeterministicId.Create(seed, StreamKind.Dynamics, keySpace, 0, ++n),
                Parameter = parameter,
                Channel = channel,
                Tier = tier,
                Segment = segment,
                OutcomeType = outcome,
                Period = period,
                Value = value,
                Details = details,
            });

        // ---- responses
        Add("response_rule", 1, details: Json($"{{\"rule\": \"{ResponseFormula}\"}}"));
        Add("response_rule", 1, details: "{\"rule\": \"only delivered touches get responses: a bounced email or webinar invitation, a cancelled rep visit (call_status Cancelled) and a phone call not connected (voicemail, no_answer) get none\"}");
        Add("response_rule", 1, details: "{\"rule\": \"an email click is drawn only after the email's open: its response_probability rows (stimulus_type email_open) are P(click | open); P(click | sent) = P(open) * P(click | open)\"}");
        Add("response_rule", 1, details: "{\"rule\": \"touches earlier in the month count every channel's touches of the HCP dated earlier in the same UTC calendar month, delivered or not (ordered by time, then channel: email, rep_visit, phone, webinar, digital_ad, conference)\"}");
        Add("no_response", 0, Channel.Names[Channel.DigitalAd], details: "{\"stimulus_type\": \"digital_ad_impression\", \"rule\": \"ad impressions get no response outcome: their effect is on Rx (rx_touch_lift)\"}");
        var stimulusChannel = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["email_send"] = Channel.Email, ["email_open"] = Channel.Email, ["rep_visit"] = Channel.RepVisit,
            ["phone_call"] = Channel.Phone, ["webinar_invite"] = Channel.Webinar, ["conference_touch"] = Channel.Conference,
        };
        foreach (var stimulus in cfg.BaseResponseRates.Keys.Order(StringComparer.Ordinal))
        {
            if (!stimulusChannel.TryGetValue(stimulus, out var channel))
            {
                continue;
            }
            foreach (var outcome in cfg.BaseResponseRates[stimulus].Keys.Order(StringComparer.Ordinal))
            {
                var baseRate = cfg.BaseResponseRates[stimulus][outcome];
                var conditional = stimulus == "email_open" ? "\"email_open\"" : "null";
                foreach (var tier in SimulationConfig.Tiers)
                {
                    var tierTable = model.SegmentByTier[SimulationModel.TierIndex(tier)];
                    foreach (var segment in model.Segments.Where(g => tierTable.ShareOf(g) > 0))
                    {
                        var affinity = cfg.SegmentChannelAffinity[segment][Channel.Names[channel]];
                        var p = OutcomeGenerator.Logistic(OutcomeGenerator.Logit(baseRate) + Math.Log(cfg.TierModifiers[tier])
                            + cfg.AffinityLogOdds * (affinity - 0.5) + Math.Log(cfg.ResponseScale));
                        Add("response_probability", Math.Round(p, 6), Channel.Names[channel], tier, segment, outcome,
                            details: Json($"{{\"stimulus_type\": \"{stimulus}\", \"base_rate\": {baseRate}, \"conditional_on\": {conditional}, \"segment_mean_affinity\": {affinity}, \"at\": \"segment mean affinity, first touch of the month, no content match; a rep visit: Detail Only call, Neutral reaction\"}}"));
                    }
                }
            }
        }
        foreach (var tier in SimulationConfig.Tiers)
        {
            Add("response_tier_odds_ratio", cfg.TierModifiers[tier], tier: tier, details: "{\"applies_to\": \"every response\"}");
        }
        Add("response_affinity_log_odds", cfg.AffinityLogOdds, details: "{\"term\": \"response_affinity_log_odds * (channel_affinity - 0.5)\", \"channel_affinity\": \"hcp_profiles.channel_affinities of the touch's channel\"}");
        Add("response_fatigue_log_odds_per_touch", cfg.FatiguePerTouch, details: "{\"term\": \"- response_fatigue_log_odds_per_touch * touches_earlier_this_month\"}");
        Add("response_content_match_odds_ratio", cfg.ContentMatchMultiplier, details: "{\"applies_when\": \"content_category = hcp_profiles.preferred_content\"}");
        Add("response_scale_odds", cfg.ResponseScale, details: "{\"applies_to\": \"every response (odds multiplier)\"}");
        Add("affinity_modifier_offset", 0.5, details: "{\"formula\": \"0.5 + channel_affinity\", \"applies_to\": \"touch volumes: an HCP's monthly touches of a channel are proportional to it (responses: response_affinity_log_odds)\"}");
        foreach (var callType in StimulusDetails.CallTypes)
        {
            Add("response_call_type_odds_ratio", cfg.CallTypeSampleOdds[callType], Channel.Names[Channel.RepVisit], outcome: "sample_request",
                details: Json($"{{\"call_type\": \"{callType}\", \"metadata\": \"call_type\"}}"));
        }
        foreach (var reaction in StimulusDetails.Reactions)
        {
            Add("response_reaction_odds_ratio", cfg.ReactionMeetingOdds[reaction], Channel.Names[Channel.RepVisit], outcome: "meeting_scheduled",
                details: Json($"{{\"reaction\": \"{reaction}\", \"metadata\": \"key_messages[0].reaction; a Sample Only call has no key message and takes odds 1\"}}"));
        }
        foreach (var (outcome, mean) in cfg.LatencyMeanDays.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("latency_mean_days", mean, outcome: outcome, details: "{\"distribution\": \"exponential, scaled by hcp response_latency_factor, truncated to the attribution window\"}");
        }
        foreach (var (outcome, days) in cfg.AttributionWindowDays.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("attribution_window_days", days, outcome: outcome);
        }

        // ---- prescribing
        Add("rx_model", 1, details: Json($"{{\"formula\": \"{RxFormula}\"}}"));
        Add("rx_baseline_multiplier", cfg.RxBaselineMultiplier, details: "{\"meaning\": \"mean patient volume: hcp_profiles.patient_volume = round(rx_baseline_multiplier * rx_specialty_volume * exp(e - s^2 / 2)), e ~ normal(0, s), s = rx_patient_volume_sigma, at least 1\"}");
        Add("rx_patient_volume_sigma", cfg.RxPatientVolumeSigma);
        foreach (var specialty in model.Specialties.Names)
        {
            Add("rx_specialty_volume", cfg.RxSpecialtyVolume.GetValueOrDefault(specialty, 1.0),
                details: Json($"{{\"specialty\": \"{specialty}\", \"product\": \"{Specialties.ProductFor(specialty).Name}\"}}"));
        }
        foreach (var segment in model.Segments)
        {
            Add("rx_writer_share", cfg.RxWriterShare[segment], segment: segment, details: "{\"meaning\": \"share of HCPs who write the brand at all; the others have base_conversion_rate 0 and never write it\"}");
        }
        foreach (var segment in model.Segments)
        {
            Add("rx_lift_segment_multiplier", cfg.RxLiftBySegment[segment], segment: segment, details: "{\"applies_to\": \"the whole log-lift\"}");
        }
        Add("rx_carryover_months", cfg.RxCarryoverMonths, details: "{\"meaning\": \"a driver in month m counts carryover^j in month m + j, for j = 0 .. rx_carryover_months\"}");
        foreach (var driver in RxDrivers.For(cfg))
        {
            var touch = driver.Kind == "touch";
            var what = touch ? "each delivered touch of the channel, answered or not (bounced, cancelled, not connected: none)" : "each response of the type, on top of its touch's";
            Add(touch ? "rx_touch_lift" : "rx_response_lift", driver.LogLift, touch ? driver.Name : null, outcome: touch ? null : driver.Name,
                details: Json($"{{\"unit\": \"{what}\", \"counted_in\": \"the UTC calendar month of its own date\", \"carryover\": {driver.Carryover}}}"));
            Add(touch ? "rx_touch_carryover" : "rx_response_carryover", driver.Carryover, touch ? driver.Name : null, outcome: touch ? null : driver.Name);
        }
        Add("rx_response_lift", 0, outcome: "email_open", details: "{\"unit\": \"an email open is not an engaged response: no lift beyond its email's\"}");
        for (var m = 0; m < 12; m++)
        {
            Add("rx_seasonality", cfg.RxSeasonality[m], period: (m + 1).ToString("D2", CultureInfo.InvariantCulture));
        }
        foreach (var product in Specialties.Portfolio)
        {
            Add("product_portfolio", product.Specialties.Count,
                details: Json($"{{\"product\": \"{product.Name}\", \"therapeutic_area\": \"{product.TherapeuticArea}\", \"specialties\": [{string.Join(", ", product.Specialties.Select(x => $"\"{x}\""))}], \"rule\": \"an HCP's touches, samples, campaigns and Rx are of its specialty's product (scenario launch touches: the launch product)\"}}"));
        }
        for (var c = 0; c < Channel.Count; c++)
        {
            Add("channel_mix_share", Math.Round(model.ChannelShare[c], 6), Channel.Names[c]);
        }
        foreach (var name in model.Content.Names)
        {
            Add("content_mix_share", model.Content.ShareOf(name), details: Json($"{{\"content_category\": \"{name}\"}}"));
        }
        Add("stimuli_per_hcp_year", cfg.StimuliPerHcpYear);
        Add("quarter_end_multiplier", cfg.QuarterEndMultiplier, details: "{\"months\": [3, 6, 9, 12], \"channels\": [\"email\", \"rep_visit\", \"phone\"]}");
        Add("webinar_invite_lead_days", cfg.WebinarInviteLeadDays);
        Add("email_batch_size", cfg.EmailBatchSize);
        // Scenario dynamics: one row per injected event, appended last so every other row keeps its id.
        foreach (var (value, channel, period, details) in ScenarioDynamics.GroundTruthRows(cfg))
        {
            Add("scenario_event", value, channel, period: period, details: details);
        }
        // The prescribing noise (stated so a scorer, and the validator's distribution check, can model rx_count exactly);
        // after the scenario events, so every earlier row keeps its id, in a key space of its own.
        keySpace = -2;
        n = 0;
        Add("rx_noise_sigma", RxGenerator.NoiseSigma, details: "{\"formula\": \"rx_count ~ poisson(expected * g), g ~ gamma(mean 1, coefficient of variation s), s = rx_noise_sigma + rx_noise_sigma_per_volatility * engagement_volatility\"}");
        Add("rx_noise_sigma_per_volatility", RxGenerator.NoiseSigmaPerVolatility);
        return rows;
    }

    /// <summary>The response model, as the response_rule row states it.</summary>
    public const string ResponseFormula =
        "logistic, no cap: P(outcome) = 1 / (1 + exp(-x)), x = logit(base_rate) + ln(response_tier_odds_ratio) + response_affinity_log_odds * (channel_affinity - 0.5) - response_fatigue_log_odds_per_touch * touches_earlier_this_month + ln(response_content_match_odds_ratio) if content matches + ln(response_scale_odds) + (rep visit) ln(response_call_type_odds_ratio) for sample_request, ln(response_reaction_odds_ratio) for meeting_scheduled; then * (1 - magnitude) in a scenario email_fatigue period";

    /// <summary>The prescribing model, as the rx_model row states it.</summary>
    public const string RxFormula =
        "written when the month is complete (on its last day): expected = patient_volume * base_conversion_rate * rx_seasonality(month) * exp(rx_lift_segment_multiplier * sum over drivers d of lift_d * A_d), A_d = sum over j = 0 .. rx_carryover_months of carryover_d^j * count_d(month - j); drivers: delivered touches per channel (rx_touch_lift, rx_touch_carryover) and engaged responses per type (rx_response_lift, rx_response_carryover); rx_count ~ poisson(expected * g), g ~ gamma(mean 1, coefficient of variation rx_noise_sigma + rx_noise_sigma_per_volatility * engagement_volatility); market_share = rx_count / (rx_count + competitor scripts), competitor scripts ~ poisson(patient_volume * seasonality * (1 - base_conversion_rate))";

    private static string Json(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
