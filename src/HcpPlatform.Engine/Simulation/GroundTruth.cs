using System.Globalization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;

namespace HcpPlatform.Engine.Simulation;

/// <summary>
/// The true parameters behind a dataset, stored with it so attribution, uplift and MMM models can be
/// scored against known truth. Response probabilities are given per stimulus type × outcome × tier ×
/// segment at the reference point (mean affinity of the segment, no earlier touches this month, no
/// content match); the modifiers that move an individual touch away from it are listed beside them.
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
                // email_send → email_click is realised through the open (P(open) × P(click | open)); its direct rate is not drawn.
                if (stimulus == "email_send" && outcome == "email_click")
                {
                    continue;
                }
                var baseRate = cfg.BaseResponseRates[stimulus][outcome];
                foreach (var tier in SimulationConfig.Tiers)
                {
                    foreach (var segment in model.Segments)
                    {
                        var affinity = cfg.SegmentChannelAffinity[segment][Channel.Names[channel]];
                        var p = Math.Min(OutcomeGenerator.MaxProbability, baseRate * cfg.TierModifiers[tier] * (0.5 + affinity) * cfg.ResponseScale);
                        Add("response_probability", Math.Round(p, 6), Channel.Names[channel], tier, segment, outcome,
                            details: Json($"{{\"stimulus_type\": \"{stimulus}\", \"base_rate\": {baseRate}, \"segment_mean_affinity\": {affinity}}}"));
                    }
                }
            }
        }
        foreach (var tier in SimulationConfig.Tiers)
        {
            Add("tier_modifier", cfg.TierModifiers[tier], tier: tier);
        }
        Add("response_scale", cfg.ResponseScale);
        Add("fatigue_per_touch", cfg.FatiguePerTouch, details: "{\"formula\": \"1 / (1 + fatigue_per_touch * touches_earlier_this_month)\"}");
        Add("content_match_multiplier", cfg.ContentMatchMultiplier, details: "{\"applies_when\": \"content_category = preferred_content\"}");
        Add("affinity_modifier_offset", 0.5, details: "{\"formula\": \"0.5 + channel_affinity\"}");
        Add("max_response_probability", OutcomeGenerator.MaxProbability);
        foreach (var (outcome, mean) in cfg.LatencyMeanDays.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("latency_mean_days", mean, outcome: outcome, details: "{\"distribution\": \"exponential, scaled by hcp response_latency_factor, truncated to the attribution window\"}");
        }
        foreach (var (outcome, days) in cfg.AttributionWindowDays.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Add("attribution_window_days", days, outcome: outcome);
        }
        Add("rx_baseline_multiplier", cfg.RxBaselineMultiplier, details: "{\"formula\": \"base_conversion_rate * multiplier\"}");
        Add("rx_lift_per_engaged_response", cfg.RxLiftPerResponse, details: "{\"lookback_days\": 30, \"engaged\": [\"email_click\", \"meeting_scheduled\", \"sample_request\", \"webinar_attend\"]}");
        Add("rx_lift_cap", cfg.RxLiftCap);
        for (var m = 0; m < 12; m++)
        {
            Add("rx_seasonality", cfg.RxSeasonality[m], period: (m + 1).ToString("D2", CultureInfo.InvariantCulture));
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
        Add("rx_noise_sigma", RxGenerator.NoiseSigma, details: "{\"formula\": \"rx_count = round(base_conversion_rate * rx_baseline_multiplier * lift * seasonality * exp(e - s^2 / 2)), e ~ normal(0, s), s = rx_noise_sigma + rx_noise_sigma_per_volatility * engagement_volatility\"}");
        Add("rx_noise_sigma_per_volatility", RxGenerator.NoiseSigmaPerVolatility);
        return rows;
    }

    private static string Json(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
