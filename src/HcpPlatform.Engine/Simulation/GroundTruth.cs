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

        // Timing and targeting: where, when and by whom touches happen and when responses come. A block of its own (key space −3).
        keySpace = -3;
        n = 0;
        TimingAndTargeting(model, Add);

        // Interventions (seeds/004): their model and each one's definition, in a key space of their own (−4), only when there
        // are any, so that a dataset without interventions has exactly the rows it had.
        if (cfg.Interventions is { Count: > 0 } interventions)
        {
            keySpace = -4;
            n = 0;
            Add("intervention_rule", 1, details: Json($"{{\"rule\": \"{InterventionRule}\"}}"));
            Add("intervention_rule", 1, details: Json($"{{\"rule\": \"{TruthRule}\"}}"));
            foreach (var i in interventions)
            {
                // period: the start day (its end is in the definition); value: the treated share.
                Add("intervention", i.EffectiveTreatedShare, i.Channels[0], period: i.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    details: i.ToJson());
            }
        }
        return rows;
    }

    /// <summary>How interventions act, as the intervention_rule row states it.</summary>
    public const string InterventionRule =
        "each HCP of an intervention's target population (every non-empty list of target holds its specialty, tier, segment, region; engagement = mean of channel_affinities within [minEngagement, maxEngagement]) is treated with probability value (1 for policy, campaign, trigger), a keyed draw per intervention and HCP (hcp.intervention_assignments); a treated HCP's exposures (stimuli_events.intervention_id) come after its regular touches where its contact limits (monthly max and min gap over all its touches of the channel), holidays, personal blackout days, weekends (email, rep visits, phone), address lapses (email) and the rep's daily capacity allow: rule schedule every minDaysBetweenExposures days from the first allowed day, up to maxExposuresPerHcp; trigger: triggerLagDays after each delivered touch of triggerChannel in the window (up to 2 days later); planned: the planned touches on their day; exposures get responses and lift Rx exactly like any touch (response_rule, rx_model); regular touches keep their ids and draws";

    /// <summary>What the truth table holds, as the intervention_rule row states it.</summary>
    public const string TruthRule =
        "hcp.intervention_truth: per targeted HCP, outcome (each outcome type: events dated in the UTC month; rx: the month's rx_count) and month from the start month to the month of end + the longest attribution window (rx: + rx_carryover_months), y_treated and y_control are the HCP's outcomes with and without the intervention (the observed arm is the observed tables; the other is the engine replayed for that HCP with its assignment flipped, same seed, everything else equal); true effect = sum over months of (y_treated - y_control); ATE over the target population, ATT over the treated";

    /// <summary>The response model, as the response_rule row states it.</summary>
    public const string ResponseFormula =
        "logistic, no cap: P(outcome) = 1 / (1 + exp(-x)), x = logit(base_rate) + ln(response_tier_odds_ratio) + response_affinity_log_odds * (channel_affinity - 0.5) - response_fatigue_log_odds_per_touch * touches_earlier_this_month + ln(response_content_match_odds_ratio) if content matches + ln(response_scale_odds) + (rep visit) ln(response_call_type_odds_ratio) for sample_request, ln(response_reaction_odds_ratio) for meeting_scheduled; then * (1 - magnitude) in a scenario email_fatigue period";

    /// <summary>The prescribing model, as the rx_model row states it.</summary>
    public const string RxFormula =
        "written when the month is complete (on its last day): expected = patient_volume * base_conversion_rate * rx_seasonality(month) * exp(rx_lift_segment_multiplier * sum over drivers d of lift_d * A_d), A_d = sum over j = 0 .. rx_carryover_months of carryover_d^j * count_d(month - j); drivers: delivered touches per channel (rx_touch_lift, rx_touch_carryover) and engaged responses per type (rx_response_lift, rx_response_carryover); rx_count ~ poisson(expected * g), g ~ gamma(mean 1, coefficient of variation rx_noise_sigma + rx_noise_sigma_per_volatility * engagement_volatility); market_share = rx_count / (rx_count + competitor scripts), competitor scripts ~ poisson(patient_volume * seasonality * (1 - base_conversion_rate))";

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
        add("enrollment_rate", cfg.EnrollmentRate, details: "{\"rule\": \"an HCP of the campaign's brand (product_portfolio) in its target segments is enrolled by a keyed draw with this probability\"}");
        add("congress_program_enrollment_rate", cfg.CongressProgramEnrollmentRate, details: Json(
            $"{{\"rule\": \"a campaign whose dates hold a specialty congress starting 7 or more days after its start is a Congress Program for it with probability {Generators.CampaignCalendar.CongressProgramChance}; it promotes the specialty's brand and enrolls HCPs of that specialty (all segments) with this probability; conference touches of enrolled HCPs at the congress are linked to it\"}}"));
        add("address_lapses_per_year", cfg.AddressLapsesPerYear, Channel.Names[Channel.Email], details: Json(
            $"{{\"lapse_days\": \"14-28 (uniform), starting on a uniform day of a month with probability rate / 12\", \"rule\": \"the first email or webinar invitation sent in a lapse bounces hard (metadata bounce_type hard, suppressed_until = the lapse's end); the later ones in it are not sent\", \"soft_bounce_rate\": {Generators.StimuliGenerator.SoftBounceRate}}}"));
        add("contact_rules_across_months", 0, details: "{\"rule\": \"a month is planned on its own; a touch of a channel with min_days_between_contacts >= 2 is dropped when the previous month's own plan has one of that channel too close before it: no margins at month ends\"}");
    }

    private static string Numbers(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => Math.Round(v, 6).ToString("R", CultureInfo.InvariantCulture)));

    private static string Json(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
