using HcpPlatform.Data.Validation;
using Xunit.Abstractions;

namespace HcpPlatform.Validation.Tests;

/// <summary>
/// For each integrity and structure check: corrupt the development dataset in exactly that way (inside a transaction
/// that is rolled back), and see that check fail — and only that check.
/// </summary>
[Collection(DevelopmentDatasetGroup.Name)]
public sealed class CorruptionTests(DevelopmentDatasetFixture f, ITestOutputHelper output)
{
    /// <summary>Stimulus alias <c>s2</c> in a mid-window month: far from both ends, so moving its outcomes disturbs nothing else.</summary>
    private const string MidWindow = "s2.event_date >= '2025-10-01' AND s2.event_date < '2025-11-01'";

    /// <summary>
    /// A moved meeting that stays in business hours of a local weekday (p2: its HCP), so that only the check a corruption
    /// aims at fails, not response_hours as well (the outcome's own time zone decides).
    /// </summary>
    private static string StillInBusinessHours(string instant) =>
        $"extract(hour FROM ({instant}) AT TIME ZONE p2.time_zone) BETWEEN 9 AND 16 AND extract(isodow FROM ({instant}) AT TIME ZONE p2.time_zone) <= 5";

    // ------------------------------------------------------------------ integrity

    [Fact]
    public Task Duplicate_npi() => OnlyFails("npi_unique", """
        DROP INDEX hcp.ix_hcp_profiles_npi;
        UPDATE hcp.hcp_profiles SET npi = (SELECT npi FROM hcp.hcp_profiles WHERE hcp_index = 0) WHERE hcp_index = 1;
        """);

    [Fact]
    public Task Bad_npi_check_digit() => OnlyFails("npi_check_digit", """
        UPDATE hcp.hcp_profiles SET npi = left(npi, 9) || ((right(npi, 1)::int + 1) % 10)::text WHERE hcp_index = 3;
        """);

    [Fact]
    public Task Npi_with_a_wrong_first_digit() => OnlyFails("npi_check_digit", """
        UPDATE hcp.hcp_profiles SET npi = '3' || right(npi, 9) WHERE hcp_index = 4;
        """);

    [Fact]
    public Task Stimulus_of_an_unknown_hcp() => OnlyFails("fk_stimuli_hcp", """
        ALTER TABLE hcp.stimuli_events DROP CONSTRAINT fk_stimuli_events_hcp_profiles_hcp_id;
        UPDATE hcp.stimuli_events SET hcp_id = '00000000-0000-0000-0000-00000000f001'
        WHERE id = (SELECT id FROM hcp.stimuli_events WHERE channel = 'digital_ad' AND campaign_id IS NULL ORDER BY id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task Stimulus_of_an_unknown_hcp_past_a_disabled_constraint() => OnlyFails("fk_stimuli_hcp", """
        ALTER TABLE hcp.stimuli_events DISABLE TRIGGER ALL;
        UPDATE hcp.stimuli_events SET hcp_id = '00000000-0000-0000-0000-00000000f011'
        WHERE id = (SELECT id FROM hcp.stimuli_events WHERE channel = 'digital_ad' AND campaign_id IS NULL ORDER BY id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task Stimulus_of_an_unknown_campaign() => OnlyFails("fk_stimuli_campaign", """
        ALTER TABLE hcp.stimuli_events DROP CONSTRAINT fk_stimuli_events_campaigns_campaign_id;
        UPDATE hcp.stimuli_events SET campaign_id = '00000000-0000-0000-0000-00000000f002'
        WHERE id = (SELECT id FROM hcp.stimuli_events WHERE channel = 'digital_ad' AND campaign_id IS NULL ORDER BY id LIMIT 1);
        """);

    [Fact]
    public Task Stimulus_by_an_unknown_rep() => OnlyFails("fk_stimuli_rep", """
        UPDATE hcp.stimuli_events SET rep_id = 'REP-99999'
        WHERE id = (SELECT id FROM hcp.stimuli_events WHERE channel = 'rep_visit' ORDER BY id LIMIT 1);
        """);

    [Fact]
    public Task Outcome_of_an_unknown_hcp() => OnlyFails("fk_outcomes_hcp", """
        ALTER TABLE hcp.outcome_events DROP CONSTRAINT fk_outcome_events_hcp_profiles_hcp_id;
        UPDATE hcp.outcome_events SET hcp_id = '00000000-0000-0000-0000-00000000f003', stimulus_id = NULL
        WHERE id = (SELECT id FROM hcp.outcome_events WHERE outcome_type = 'meeting_scheduled' ORDER BY id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task Outcome_of_an_unknown_stimulus() => OnlyFails("fk_outcomes_stimulus", """
        ALTER TABLE hcp.outcome_events DROP CONSTRAINT fk_outcome_events_stimuli_events_stimulus_id;
        UPDATE hcp.outcome_events SET stimulus_id = '00000000-0000-0000-0000-00000000f004'
        WHERE id = (SELECT id FROM hcp.outcome_events WHERE outcome_type = 'meeting_scheduled' ORDER BY id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task Rx_row_of_an_unknown_hcp() => OnlyFails("fk_rx_hcp", """
        ALTER TABLE hcp.prescribing_history DROP CONSTRAINT fk_prescribing_history_hcp_profiles_hcp_id;
        INSERT INTO hcp.prescribing_history (id, hcp_id, month, rx_count, market_share)
        VALUES ('00000000-0000-0000-0000-00000000f105', '00000000-0000-0000-0000-00000000f005', '2026-01-01 00:00:00+00', 12, 0.2);
        """);

    [Fact]
    public Task Territory_row_of_an_unknown_hcp() => OnlyFails("fk_territories_hcp", """
        ALTER TABLE hcp.territory_assignments DROP CONSTRAINT fk_territory_assignments_hcp_profiles_hcp_id;
        INSERT INTO hcp.territory_assignments (id, rep_id, rep_name, hcp_id, territory, region, assigned_at, is_primary)
        VALUES ('00000000-0000-0000-0000-00000000f106', 'REP-00001', 'Nobody', '00000000-0000-0000-0000-00000000f006', 'X', 'Y', '2019-01-01', false);
        """);

    [Fact]
    public Task Participation_in_an_unknown_campaign() => OnlyFails("fk_participation_campaign", """
        ALTER TABLE hcp.campaign_participation DROP CONSTRAINT fk_campaign_participation_campaigns_campaign_id;
        INSERT INTO hcp.campaign_participation (id, campaign_id, hcp_id, enrolled_at, status)
        VALUES ('00000000-0000-0000-0000-00000000f107', '00000000-0000-0000-0000-00000000f007', (SELECT id FROM hcp.hcp_profiles WHERE hcp_index = 0), '2026-01-01', 'enrolled');
        """);

    [Fact]
    public Task Participation_of_an_unknown_hcp() => OnlyFails("fk_participation_hcp", """
        ALTER TABLE hcp.campaign_participation DROP CONSTRAINT fk_campaign_participation_hcp_profiles_hcp_id;
        INSERT INTO hcp.campaign_participation (id, campaign_id, hcp_id, enrolled_at, status)
        VALUES ('00000000-0000-0000-0000-00000000f108', (SELECT id FROM hcp.campaigns ORDER BY id LIMIT 1), '00000000-0000-0000-0000-00000000f008', '2026-01-01', 'enrolled');
        """);

    [Fact]
    public Task Contact_limit_of_an_unknown_hcp() => OnlyFails("fk_contact_limits_hcp", """
        ALTER TABLE hcp.hcp_contact_limits DROP CONSTRAINT fk_hcp_contact_limits_hcp_profiles_hcp_id;
        INSERT INTO hcp.hcp_contact_limits (id, hcp_id, channel, max_contacts_per_month, min_days_between_contacts, preferred_days, blackout_dates)
        VALUES ('00000000-0000-0000-0000-00000000f109', '00000000-0000-0000-0000-00000000f009', 'email', 8, 2, NULL, '[]');
        """);

    [Fact]
    public Task Outcome_before_its_stimulus() => OnlyFails("outcome_after_stimulus", $"""
        UPDATE hcp.outcome_events o SET event_date = s.event_date - interval '1 hour'
        FROM hcp.stimuli_events s
        WHERE s.id = o.stimulus_id AND o.id = (
            SELECT o2.id FROM hcp.outcome_events o2 JOIN hcp.stimuli_events s2 ON s2.id = o2.stimulus_id
            JOIN hcp.hcp_profiles p2 ON p2.id = o2.hcp_id
            WHERE o2.outcome_type = 'meeting_scheduled' AND {MidWindow} AND {StillInBusinessHours("s2.event_date - interval '1 hour'")}
            ORDER BY o2.id LIMIT 1);
        """);

    [Fact]
    public Task Outcome_at_the_same_instant_as_its_stimulus() => OnlyFails("outcome_after_stimulus", $"""
        UPDATE hcp.outcome_events o SET event_date = s.event_date
        FROM hcp.stimuli_events s
        WHERE s.id = o.stimulus_id AND o.id = (
            SELECT o2.id FROM hcp.outcome_events o2 JOIN hcp.stimuli_events s2 ON s2.id = o2.stimulus_id
            WHERE o2.outcome_type = 'sample_request' AND {MidWindow} ORDER BY o2.id LIMIT 1);
        """);

    [Fact]
    public Task Outcome_outside_its_attribution_window() => OnlyFails("outcome_within_attribution_window", $"""
        UPDATE hcp.outcome_events o SET event_date = s.event_date + interval '31 days'
        FROM hcp.stimuli_events s
        WHERE s.id = o.stimulus_id AND o.id = (
            SELECT o2.id FROM hcp.outcome_events o2 JOIN hcp.stimuli_events s2 ON s2.id = o2.stimulus_id
            JOIN hcp.hcp_profiles p2 ON p2.id = o2.hcp_id
            WHERE o2.outcome_type = 'meeting_scheduled' AND {MidWindow} AND {StillInBusinessHours("s2.event_date + interval '31 days'")}
            ORDER BY o2.id LIMIT 1);
        """);

    [Fact]
    public Task Email_open_eight_days_after_the_send() => OnlyFails("outcome_within_attribution_window", $"""
        UPDATE hcp.outcome_events o SET event_date = s.event_date + interval '8 days'
        FROM hcp.stimuli_events s
        WHERE s.id = o.stimulus_id AND o.id = (
            SELECT o2.id FROM hcp.outcome_events o2 JOIN hcp.stimuli_events s2 ON s2.id = o2.stimulus_id
            WHERE o2.outcome_type = 'email_open' AND {MidWindow}
              AND NOT EXISTS (SELECT 1 FROM hcp.outcome_events c WHERE c.stimulus_id = o2.stimulus_id AND c.outcome_type = 'email_click')
            ORDER BY o2.id LIMIT 1);
        """);

    [Fact]
    public Task Outcome_credited_to_another_hcp() => OnlyFails("outcome_hcp_matches_stimulus", """
        UPDATE hcp.outcome_events SET hcp_id = (SELECT id FROM hcp.hcp_profiles WHERE hcp_index = 0)
        WHERE id = (SELECT o.id FROM hcp.outcome_events o JOIN hcp.hcp_profiles p ON p.id = o.hcp_id
                    WHERE p.hcp_index <> 0 AND p.time_zone = (SELECT time_zone FROM hcp.hcp_profiles WHERE hcp_index = 0) ORDER BY o.id LIMIT 1);
        """);

    [Fact]
    public Task Duplicate_id_within_a_table() => OnlyFails("ids_unique", """
        ALTER TABLE hcp.territory_assignments DROP CONSTRAINT pk_territory_assignments;
        INSERT INTO hcp.territory_assignments (id, rep_id, rep_name, hcp_id, territory, region, assigned_at, is_primary)
        SELECT t.id, t.rep_id, t.rep_name, (SELECT id FROM hcp.hcp_profiles WHERE hcp_index = 9), t.territory, t.region, t.assigned_at, false
        FROM hcp.territory_assignments t WHERE NOT t.is_primary ORDER BY t.id LIMIT 1;
        """);

    [Fact]
    public Task Tampered_engagement_score() => OnlyFails("channel_engagements_match", """
        UPDATE hcp.hcp_profiles SET engagement_score = engagement_score + 1 WHERE hcp_index = 7;
        """);

    [Fact]
    public Task Tampered_channel_engagements() => OnlyFails("channel_engagements_match", """
        UPDATE hcp.hcp_profiles
        SET channel_engagements = jsonb_set(channel_engagements, '{0,totalTouches}', to_jsonb((channel_engagements->0->>'totalTouches')::int + 1))
        WHERE hcp_index = 8;
        """);

    [Fact]
    public Task Tampered_participation_counts() => OnlyFails("participation_counts_match", """
        UPDATE hcp.campaign_participation SET touch_count = touch_count + 1 WHERE id = (SELECT id FROM hcp.campaign_participation ORDER BY id LIMIT 1);
        """);

    // ------------------------------------------------------------------ structure

    [Fact]
    public Task Hcp_with_two_primary_reps() => OnlyFails("one_primary_rep", """
        UPDATE hcp.territory_assignments SET is_primary = true WHERE id = (SELECT id FROM hcp.territory_assignments WHERE NOT is_primary ORDER BY id LIMIT 1);
        """);

    [Fact]
    public Task Hcp_without_a_primary_rep() => OnlyFails("one_primary_rep", """
        UPDATE hcp.territory_assignments SET is_primary = false WHERE id = (SELECT id FROM hcp.territory_assignments WHERE is_primary ORDER BY id LIMIT 1);
        """);

    [Fact]
    public Task Campaign_ending_before_it_starts() => OnlyFails("campaign_dates_plausible", """
        INSERT INTO hcp.campaigns (id, name, campaign_type, channels, start_date, end_date, status)
        VALUES ('00000000-0000-0000-0000-00000000f010', 'Backwards', 'email_nurture', '["email"]', '2020-03-01 00:00:00+00', '2020-02-20 00:00:00+00', 'completed');
        """);

    [Fact]
    public Task Fourth_concurrent_campaign() => OnlyFails("campaign_concurrency", """
        INSERT INTO hcp.campaigns (id, name, campaign_type, channels, start_date, end_date, status)
        SELECT '00000000-0000-0000-0000-00000000f011', 'Fourth', 'email_nurture', '["email"]',
               (d - 5)::timestamp AT TIME ZONE 'UTC', (d + 14)::timestamp AT TIME ZONE 'UTC', 'completed'
        FROM (
            SELECT g::date AS d FROM generate_series('2025-09-01'::timestamp, '2026-05-31'::timestamp, interval '1 day') AS g
            WHERE (SELECT count(*) FROM hcp.campaigns c
                   WHERE g::date BETWEEN (c.start_date AT TIME ZONE 'UTC')::date AND (c.end_date AT TIME ZONE 'UTC')::date) = 3
            ORDER BY 1 LIMIT 1
        ) x;
        """);

    [Fact]
    public Task Touch_on_christmas() => OnlyFails("no_holiday_touches", """
        UPDATE hcp.stimuli_events SET event_date = '2025-12-25 15:00:00+00'
        WHERE id = (
            SELECT s.id FROM hcp.stimuli_events s
            JOIN hcp.hcp_contact_limits l ON l.hcp_id = s.hcp_id AND l.channel = s.channel
            WHERE s.channel = 'digital_ad' AND s.campaign_id IS NULL
              AND s.event_date >= '2025-12-01' AND s.event_date < '2025-12-20'
              AND NOT l.blackout_dates ? '12-25'
            ORDER BY s.id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task Touch_on_thanksgiving() => OnlyFails("no_holiday_touches", """
        UPDATE hcp.stimuli_events SET event_date = '2025-11-27 16:00:00+00'
        WHERE id = (
            SELECT s.id FROM hcp.stimuli_events s
            JOIN hcp.hcp_contact_limits l ON l.hcp_id = s.hcp_id AND l.channel = s.channel
            WHERE s.channel = 'digital_ad' AND s.campaign_id IS NULL
              AND s.event_date >= '2025-11-01' AND s.event_date < '2025-11-20'
              AND NOT l.blackout_dates ? '11-27'
            ORDER BY s.id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task More_touches_in_a_month_than_the_hcp_allows() => OnlyFails("contact_limit_monthly_max", """
        UPDATE hcp.hcp_contact_limits SET max_contacts_per_month = 1
        WHERE channel = 'email' AND hcp_id = (
            SELECT hcp_id FROM hcp.stimuli_events WHERE channel = 'email'
            GROUP BY hcp_id, date_trunc('month', event_date AT TIME ZONE 'UTC') HAVING count(*) >= 2
            ORDER BY hcp_id LIMIT 1);
        """);

    [Fact]
    public Task Touches_closer_than_the_minimum_gap() => OnlyFails("contact_limit_min_gap", """
        UPDATE hcp.hcp_contact_limits SET min_days_between_contacts = 60
        WHERE channel = 'email' AND hcp_id = (
            SELECT hcp_id FROM hcp.stimuli_events WHERE channel = 'email'
            GROUP BY hcp_id, date_trunc('month', event_date AT TIME ZONE 'UTC') HAVING count(*) >= 2
            ORDER BY hcp_id LIMIT 1);
        """);

    [Fact]
    public Task Touch_on_a_personal_blackout_day() => OnlyFails("contact_limit_personal_blackout", """
        UPDATE hcp.hcp_contact_limits l SET blackout_dates = jsonb_build_array(to_char(s.event_date AT TIME ZONE 'UTC', 'MM-DD'))
        FROM (SELECT hcp_id, event_date FROM hcp.stimuli_events WHERE channel = 'email' ORDER BY id LIMIT 1) s
        WHERE l.hcp_id = s.hcp_id AND l.channel = 'email';
        """);

    [Fact]
    public Task Phone_call_on_a_day_the_hcp_does_not_take_calls() => OnlyFails("contact_limit_preferred_days", """
        UPDATE hcp.hcp_contact_limits l
        SET preferred_days = (SELECT jsonb_agg(d) FROM generate_series(1, 5) AS d WHERE d <> extract(isodow FROM s.event_date AT TIME ZONE 'UTC'))
        FROM (SELECT hcp_id, event_date FROM hcp.stimuli_events WHERE channel = 'phone' ORDER BY id LIMIT 1) s
        WHERE l.hcp_id = s.hcp_id AND l.channel = 'phone';
        """);

    [Fact]
    public Task Rep_over_daily_visit_capacity() => OnlyFails("channel_capacity", """
        UPDATE hcp.channel_capacity SET limit_value = 1 WHERE channel = 'rep_visit';
        """);

    [Fact]
    public Task Email_sends_over_daily_capacity() => OnlyFails("channel_capacity", """
        UPDATE hcp.channel_capacity SET limit_value = 100 WHERE channel = 'email';
        """);

    [Fact]
    public Task Missing_rx_month() => OnlyFails("rx_hcp_months", """
        DELETE FROM hcp.prescribing_history WHERE id = (SELECT id FROM hcp.prescribing_history ORDER BY id LIMIT 1);
        """);

    [Fact]
    public Task Rx_month_off_the_first_of_its_month_with_the_row_count_unchanged() => OnlyFails("rx_hcp_months", """
        UPDATE hcp.prescribing_history SET month = month + interval '1 day' WHERE id = (SELECT id FROM hcp.prescribing_history ORDER BY id LIMIT 1);
        """);

    [Fact]
    public Task Rx_row_for_the_month_still_running() => OnlyFails("rx_hcp_months", """
        INSERT INTO hcp.prescribing_history (id, hcp_id, month, rx_count, market_share)
        SELECT '00000000-0000-0000-0000-00000000f013', hcp_id, month + interval '1 month', rx_count, market_share
        FROM hcp.prescribing_history WHERE month = (SELECT max(month) FROM hcp.prescribing_history) ORDER BY id LIMIT 1;
        """);

    [Fact]
    public Task Duplicate_rx_month() => OnlyFails("rx_hcp_months", """
        DROP INDEX hcp.ix_prescribing_history_hcp_id_month;
        INSERT INTO hcp.prescribing_history (id, hcp_id, month, rx_count, market_share)
        SELECT '00000000-0000-0000-0000-00000000f012', hcp_id, month, rx_count, market_share FROM hcp.prescribing_history ORDER BY id LIMIT 1;
        """);

    [Fact]
    public Task Email_batch_over_five_hundred() => OnlyFails("email_batch_size", """
        UPDATE hcp.stimuli_events SET metadata = jsonb_set(metadata, '{send_batch}', '"oversized-batch"')
        WHERE id IN (SELECT id FROM hcp.stimuli_events WHERE channel = 'email' AND campaign_id IS NOT NULL ORDER BY id LIMIT 501);
        """);

    [Fact]
    public Task Webinar_invite_not_fourteen_days_before_the_event() => OnlyFails("webinar_invite_lead", """
        UPDATE hcp.stimuli_events SET metadata = jsonb_set(metadata, '{event_date}', to_jsonb(((metadata->>'event_date')::date + 1)::text))
        WHERE id = (SELECT s.id FROM hcp.stimuli_events s WHERE s.channel = 'webinar'
                    AND NOT EXISTS (SELECT 1 FROM hcp.outcome_events o WHERE o.stimulus_id = s.id) ORDER BY s.id LIMIT 1);
        """);

    [Fact]
    public Task Webinar_attendance_off_the_event_day() => OnlyFails("webinar_attendance_on_event", $"""
        UPDATE hcp.outcome_events SET event_date = event_date - interval '1 day'
        WHERE id = (SELECT o.id FROM hcp.outcome_events o JOIN hcp.stimuli_events s ON s.id = o.stimulus_id
                    WHERE o.outcome_type = 'webinar_attend' AND s.event_date >= '2025-10-01' AND s.event_date < '2025-11-01' ORDER BY o.id LIMIT 1);
        """);

    [Fact]
    public Task Touch_before_the_window() => OnlyFails("events_in_window", """
        UPDATE hcp.stimuli_events SET event_date = '2025-06-21 12:00:00+00'
        WHERE id = (
            SELECT s.id FROM hcp.stimuli_events s
            JOIN hcp.hcp_contact_limits l ON l.hcp_id = s.hcp_id AND l.channel = s.channel
            WHERE s.channel = 'digital_ad' AND s.campaign_id IS NULL AND NOT l.blackout_dates ? '06-21'
              AND s.event_date >= '2025-07-01' AND s.event_date < '2025-07-20'
            ORDER BY s.id LIMIT 1);
        """, recomputeAggregates: true);

    [Fact]
    public Task Campaign_touch_of_an_hcp_not_enrolled() => OnlyFails("campaign_touches_within_campaign", """
        DELETE FROM hcp.campaign_participation cp
        USING (SELECT campaign_id, hcp_id FROM hcp.stimuli_events WHERE campaign_id IS NOT NULL ORDER BY id LIMIT 1) s
        WHERE cp.campaign_id = s.campaign_id AND cp.hcp_id = s.hcp_id;
        """);

    [Fact]
    public Task Campaign_touch_after_the_campaign_ended() => OnlyFails("campaign_touches_within_campaign", """
        UPDATE hcp.campaigns c SET end_date = (SELECT min(s.event_date) FROM hcp.stimuli_events s WHERE s.campaign_id = c.id)::date - 1
        WHERE c.id = (SELECT campaign_id FROM hcp.stimuli_events s JOIN hcp.campaigns c2 ON c2.id = s.campaign_id
                      WHERE c2.start_date < (SELECT min(s2.event_date) FROM hcp.stimuli_events s2 WHERE s2.campaign_id = c2.id) - interval '20 days'
                      ORDER BY campaign_id LIMIT 1);
        """);

    [Fact]
    public Task Segment_not_allowed_for_the_tier() => OnlyFail(["category_adherence", "tv_segment_given_tier"], """
        UPDATE hcp.hcp_profiles SET segment = 'Academic Leader' WHERE hcp_index = (SELECT min(hcp_index) FROM hcp.hcp_profiles WHERE tier = 'Tier 3');
        """);

    [Fact]
    public Task Unknown_stimulus_type() => OnlyFails("category_adherence", """
        UPDATE hcp.stimuli_events SET stimulus_type = 'carrier_pigeon'
        WHERE id = (SELECT id FROM hcp.stimuli_events WHERE channel = 'digital_ad' ORDER BY id LIMIT 1);
        """);

    // ------------------------------------------------------------------ clock time, field force, campaigns, addresses

    [Fact]
    public Task Ad_before_six_in_the_morning_local() => OnlyFails("local_working_hours", $"""
        UPDATE hcp.stimuli_events s SET event_date = ((s.event_date AT TIME ZONE p.time_zone)::date + time '05:10') AT TIME ZONE p.time_zone
        FROM hcp.hcp_profiles p
        WHERE p.id = s.hcp_id AND s.id = (SELECT s2.id FROM hcp.stimuli_events s2 WHERE s2.channel = 'digital_ad' AND {MidWindow}
                                          AND NOT EXISTS (SELECT 1 FROM hcp.outcome_events o WHERE o.stimulus_id = s2.id) ORDER BY s2.id LIMIT 1);
        """);

    [Fact]
    public Task Campaign_email_on_christmas_eve() => OnlyFails("no_campaign_email_on_eves", """
        UPDATE hcp.stimuli_events s
        SET event_date = (date '2025-12-24' + (s.event_date AT TIME ZONE p.time_zone)::time) AT TIME ZONE p.time_zone,
            metadata = jsonb_set(s.metadata, '{send_batch}', '"corrupted-eve"')
        FROM hcp.hcp_profiles p
        WHERE p.id = s.hcp_id AND s.id = (
            SELECT e.id FROM hcp.stimuli_events e
            JOIN hcp.hcp_profiles pe ON pe.id = e.hcp_id
            JOIN hcp.campaigns c ON c.id = e.campaign_id
            JOIN hcp.hcp_contact_limits l ON l.hcp_id = e.hcp_id AND l.channel = 'email'
            WHERE e.channel = 'email' AND e.campaign_id IS NOT NULL
              AND (e.event_date AT TIME ZONE pe.time_zone)::date BETWEEN '2025-12-15' AND '2025-12-31'
              AND c.start_date <= '2025-12-24' AND c.end_date >= '2025-12-25' AND NOT l.blackout_dates ? '12-24'
              AND NOT EXISTS (SELECT 1 FROM hcp.outcome_events o WHERE o.stimulus_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM hcp.stimuli_events x WHERE x.hcp_id = e.hcp_id AND x.channel = 'email' AND x.id <> e.id
                              AND x.event_date BETWEEN '2025-12-01' AND '2026-01-10')
            ORDER BY e.id LIMIT 1);
        """);

    [Fact]
    public Task Meeting_scheduled_at_three_in_the_morning_local() => OnlyFails("response_hours", """
        UPDATE hcp.outcome_events o SET event_date = ((o.event_date AT TIME ZONE p.time_zone)::date + time '03:00') AT TIME ZONE p.time_zone
        FROM hcp.hcp_profiles p
        WHERE p.id = o.hcp_id AND o.id = (
            SELECT o2.id FROM hcp.outcome_events o2 JOIN hcp.stimuli_events s2 ON s2.id = o2.stimulus_id JOIN hcp.hcp_profiles p2 ON p2.id = o2.hcp_id
            WHERE o2.outcome_type = 'meeting_scheduled' AND s2.event_date >= '2025-10-01' AND s2.event_date < '2025-11-01'
              AND (o2.event_date AT TIME ZONE p2.time_zone)::date > (s2.event_date AT TIME ZONE p2.time_zone)::date
            ORDER BY o2.id LIMIT 1);
        """);

    [Fact]
    public Task Rep_visiting_two_states_in_a_day() => OnlyFails("rep_one_state_a_day", """
        UPDATE hcp.hcp_profiles SET state = CASE WHEN state = 'TX' THEN 'OK' ELSE 'TX' END
        WHERE id = (
            SELECT v.hcp_id FROM hcp.stimuli_events v
            JOIN hcp.hcp_profiles pv ON pv.id = v.hcp_id
            WHERE v.channel = 'rep_visit' AND EXISTS (
                SELECT 1 FROM hcp.stimuli_events w JOIN hcp.hcp_profiles pw ON pw.id = w.hcp_id
                WHERE w.channel = 'rep_visit' AND w.rep_id = v.rep_id AND w.hcp_id <> v.hcp_id
                  AND (w.event_date AT TIME ZONE pw.time_zone)::date = (v.event_date AT TIME ZONE pv.time_zone)::date)
            ORDER BY v.id LIMIT 1);
        """);

    [Fact]
    public Task Overlay_rep_whose_visits_went_to_the_primary_rep() => OnlyFails("overlay_reps_active", """
        -- The first overlay rep's visits are made by the HCPs' primary reps instead (those that would take a primary rep past
        -- its daily capacity are not made at all, with their responses).
        CREATE TEMP TABLE moved ON COMMIT DROP AS
        SELECT s.id, t.rep_id AS primary_rep, (s.event_date AT TIME ZONE p.time_zone)::date AS day
        FROM hcp.stimuli_events s
        JOIN hcp.territory_assignments t ON t.hcp_id = s.hcp_id AND t.is_primary
        JOIN hcp.hcp_profiles p ON p.id = s.hcp_id
        WHERE s.channel = 'rep_visit' AND s.rep_id = (SELECT min(rep_id) FROM hcp.territory_assignments WHERE NOT is_primary);
        CREATE TEMP TABLE dropped ON COMMIT DROP AS
        SELECT m.id FROM moved m
        JOIN (SELECT primary_rep, day, count(*) AS k FROM moved GROUP BY 1, 2) mm ON mm.primary_rep = m.primary_rep AND mm.day = m.day
        LEFT JOIN (SELECT s.rep_id, (s.event_date AT TIME ZONE p.time_zone)::date AS day, count(*) AS n
                   FROM hcp.stimuli_events s JOIN hcp.hcp_profiles p ON p.id = s.hcp_id WHERE s.channel = 'rep_visit' GROUP BY 1, 2) own
               ON own.rep_id = m.primary_rep AND own.day = m.day
        WHERE coalesce(own.n, 0) + mm.k > (SELECT min(limit_value) FROM hcp.channel_capacity WHERE channel = 'rep_visit');
        DELETE FROM hcp.outcome_events WHERE stimulus_id IN (SELECT id FROM dropped);
        DELETE FROM hcp.stimuli_events WHERE id IN (SELECT id FROM dropped);
        UPDATE hcp.stimuli_events s SET rep_id = m.primary_rep FROM moved m WHERE m.id = s.id;
        """, recomputeAggregates: true);

    [Fact]
    public Task Email_to_a_suppressed_address() => OnlyFails("bounced_addresses_suppressed", """
        UPDATE hcp.stimuli_events b
        SET metadata = jsonb_set(b.metadata, '{suppressed_until}', to_jsonb(to_char(n.next_day + 1, 'YYYY-MM-DD')))
        FROM (
            SELECT b2.id, min((x.event_date AT TIME ZONE p.time_zone)::date) AS next_day
            FROM hcp.stimuli_events b2
            JOIN hcp.hcp_profiles p ON p.id = b2.hcp_id
            JOIN hcp.stimuli_events x ON x.hcp_id = b2.hcp_id AND x.channel IN ('email', 'webinar') AND x.event_date > b2.event_date
            WHERE b2.metadata ? 'suppressed_until'
            GROUP BY b2.id ORDER BY b2.id LIMIT 1
        ) n
        WHERE b.id = n.id;
        """);

    private Task OnlyFails(string check, string corruption, bool recomputeAggregates = false) => Corruption.OnlyFails(f, output, check, corruption, recomputeAggregates);

    private Task OnlyFail(string[] checks, string corruption, bool recomputeAggregates = false) => Corruption.OnlyFail(f, output, checks, corruption, recomputeAggregates);

    private Task<ValidationReport> ValidateCorruptedAsync(string corruption, bool recomputeAggregates) => Corruption.ValidateCorruptedAsync(f, corruption, recomputeAggregates);
}
