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

        // Timing and targeting: where, when and by whom touches happen and when responses come. A block of its own (key space −3).
        keySpace = -3;
        n = 0;
        TimingAndTargeting(model, Add);
        return rows;
    }

    private delegate void AddRow(string parameter, double value, string? channel = null, string? tier = null, string? segment = null,
        string? outcome = null, string? period = null, string? details = null);

    private static void TimingAndTargeting(SimulationModel model, AddRow add)
    {
        var cfg = model.Config;
        add("local_time", 0, details: "{\"rule\": \"event_date is a UTC instant; each HCP lives by its city's time zone (hcp_profiles.time_zone) and touches fall on its local days at local times (local time = event_date AT TIME ZONE time_zone)\", \"dst\": \"US rules: daylight time from the second Sunday of March 02:00 to the first Sunday of November 02:00 local (1987-2006: first Sunday of April to last Sunday of October); none in America/Phoenix and Pacific/Honolulu\"}");
        for (var c = 0; c < Channel.Count; c++)
        {
            var hours = Calendar.LocalHours.Bounds(c);
            var days = Calendar.LocalHours.IsBusinessChannel(c) ? "weekdays" : "every day";
            var zone = c == Channel.Conference ? Calendar.LocalHours.CongressZone.Name : "the HCP's";
            add("local_hours", hours.From, Channel.Names[c], details: Json($"{{\"from\": {hours.From}, \"to\": {hours.To}, \"days\": \"{days}, never on a major US holiday or its observed day\", \"time_zone\": \"{zone}\"}}"));
        }
        add("webinar_start_local_hour", Calendar.LocalHours.WebinarStartEastern, Channel.Names[Channel.Webinar],
            details: "{\"time_zone\": \"America/New_York\", \"rule\": \"webinar attendance is at the start of the event\"}");
        foreach (var outcome in new[] { "email_open", "email_click", "meeting_scheduled", "sample_request" })
        {
            var rhythm = Calendar.ResponseRhythm.For(outcome)!;
            add("response_rhythm", 1, outcome: outcome, details: Json(
                $"{{\"rhythm\": \"{rhythm.Name}\", \"workday\": [{Numbers(rhythm.Workday)}], \"off_day\": [{Numbers(rhythm.OffDay)}], \"christmas_day\": 0, \"off_days\": \"Saturday, Sunday and the major US holidays with their observed days (local)\", \"formula\": \"rate per local hour (a week of 5 workdays and 2 days off averages 1); a latency is drawn in activity time A = integral of the rate over real time since the touch (days): exponential with mean latency_mean_days x response_latency_factor truncated to A over the attribution window; a click: the open's A plus an exponential with mean (click - open) x factor truncated to the click window's A\"}}"));
        }
        for (var t = 0; t < 3; t++)
        {
            var tier = SimulationConfig.Tiers[t];
            add("field_tier_volume", cfg.FieldTierVolume[tier], tier: tier, details: Json(
                $"{{\"rep_visit_multiplier\": {Math.Round(model.TierVolume[Channel.RepVisit, t], 6)}, \"phone_multiplier\": {Math.Round(model.TierVolume[Channel.Phone, t], 6)}, \"formula\": \"expected touches = channel monthly mean x (0.5 + affinity) / population mean x multiplier x month factor; the rep-visit multiplier applies to HCPs who see reps (normalised over them)\"}}"));
            add("no_see_share", cfg.NoSeeShare[tier], tier: tier, details: "{\"rule\": \"a no-see HCP (hcp_contact_limits rep_visit max_contacts_per_month = 0) gets no rep visits; phone and digital channels as usual\"}");
        }
        add("hcps_per_rep", cfg.HcpsPerRep, details: Json($"{{\"rule\": \"per region: max(1, round(region HCPs / hcps_per_rep)) primary reps, an even split of the region's HCPs ordered west to east (state), then by city; a territory never leaves its region\", \"overlay_territories_per_rep\": {cfg.OverlayTerritoriesPerRep}, \"overlay_rule\": \"max(1, round(primary reps / overlay_territories_per_rep)) overlay reps per region, each covering the overlay HCPs of a group of neighbouring primary territories\"}}"));
        add("calls_per_field_day", cfg.CallsPerFieldDay, Channel.Names[Channel.RepVisit], details: Json(
            $"{{\"route_days\": \"a rep's HCPs by state: round(weekly load / calls) weekly route days for a state due at least 3/4 of a day's calls a week (at most 1.25 days' calls each), else one route day every 1, 2, 4 or 8 weeks (short enough that its most-visited HCP is due at most {Generators.TerritoryGenerator.MaxDuePerOccurrence} visits per occurrence); one route day a weekday on an 8-week timetable; one state a day\", \"max_rep_visits_per_day\": {cfg.MaxRepVisitsPerDay}}}"));
        add("visit_cadence_jitter", Generators.FieldForce.Jitter, Channel.Names[Channel.RepVisit], details: Json(
            $"{{\"rule\": \"an HCP is due a visit at an occurrence of its route day when its visit clock, rate x (sum of month factors since 1990-01-01 in weeks), passes a threshold i + phase + jitter_i since the previous occurrence; rate = rep_visit monthly mean x 12 / 52.1775 x (0.5 + affinity) / population mean x rep_visit multiplier, 0 for no-see, at most {Generators.TerritoryGenerator.MaxDuePerOccurrence} per occurrence at the highest month factor\", \"holidays\": \"a route day on a holiday moves to the week's next free weekday (else the previous; else skipped)\", \"overlay\": \"the overlay rep rides along on one route day a day, the one with most of its HCPs due (at least {Generators.FieldForce.MinOverlayCalls}), and makes their visits\", \"times\": \"first call 08:00-09:30 local, then 45-90 minutes apart, compressed to end by 17:30; at most max_rep_visits_per_day calls, the last in a drawn order dropped\"}}"));
        add("campaign_send_interval_days", cfg.CampaignSendIntervalDays, Channel.Names[Channel.Email], details: Json(
            $"{{\"rule\": \"every enrolled HCP gets every send of its campaigns (unless a contact rule or an address lapse stops it); first send on the campaign's send weekday (Tue-Thu) on or after its start; a send on a weekend, holiday, Christmas Eve or New Year's Eve goes out the next weekday that is none of these\", \"send_time\": \"the campaign's send hour (07:30-10:00 local on the quarter hour) + {Generators.StimuliGenerator.BatchMinutes} minutes x min(batch - 1, 12) + up to 6 minutes\", \"single_emails\": \"Poisson(rho x the HCP's email mean), rho = max(0, 1 - the month's campaign sends per HCP / the population's mean email volume)\"}}"));
        add("enrollment_rate", cfg.EnrollmentRate, details: "{\"rule\": \"an HCP in a campaign's target segments is enrolled by a keyed draw with this probability\"}");
        add("congress_program_enrollment_rate", cfg.CongressProgramEnrollmentRate, details: Json(
            $"{{\"rule\": \"a campaign whose dates hold a specialty congress starting 7 or more days after its start is a Congress Program for it with probability {Generators.CampaignCalendar.CongressProgramChance}; it enrolls HCPs of that specialty (all segments) with this probability; conference touches of enrolled HCPs at the congress are linked to it\"}}"));
        add("address_lapses_per_year", cfg.AddressLapsesPerYear, Channel.Names[Channel.Email], details: Json(
            $"{{\"lapse_days\": \"14-28 (uniform), starting on a uniform day of a month with probability rate / 12\", \"rule\": \"the first email or webinar invitation sent in a lapse bounces hard (metadata bounce_type hard, suppressed_until = the lapse's end); the later ones in it are not sent\", \"soft_bounce_rate\": {Generators.StimuliGenerator.SoftBounceRate}}}"));
        add("contact_rules_across_months", 0, details: "{\"rule\": \"a month is planned on its own; a touch of a channel with min_days_between_contacts >= 2 is dropped when the previous month's own plan has one of that channel too close before it: no margins at month ends\"}");
    }

    private static string Numbers(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => Math.Round(v, 6).ToString("R", CultureInfo.InvariantCulture)));

    private static string Json(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
