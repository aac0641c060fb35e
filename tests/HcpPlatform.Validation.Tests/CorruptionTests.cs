using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using HcpPlatform.Testing;
using Xunit.Abstractions;

namespace HcpPlatform.Validation.Tests;

/// <summary>
/// For each integrity and structure check: corrupt the development dataset in exactly that way (inside a
/// transaction that is rolled back), and see that check fail — and only that check. Where a corruption
/// moves or re-links rows, the derived aggregates are recomputed afterwards (as the loader would), so the
/// dataset is wrong in that one way only.
/// </summary>
[Collection(DevelopmentDatasetGroup.Name)]
public sealed class CorruptionTests(DevelopmentDatasetFixture f, ITestOutputHelper output)
{
    /// <summary>Stimulus alias <c>s2</c> in a mid-window month: far from both ends, so moving its outcomes disturbs nothing else.</summary>
    private const string MidWindow = "s2.event_date >= '2025-10-01' AND s2.event_date < '2025-11-01'";

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
            WHERE o2.outcome_type = 'meeting_scheduled' AND {MidWindow} ORDER BY o2.id LIMIT 1);
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
            WHERE o2.outcome_type = 'meeting_scheduled' AND {MidWindow} ORDER BY o2.id LIMIT 1);
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
        WHERE id = (SELECT o.id FROM hcp.outcome_events o JOIN hcp.hcp_profiles p ON p.id = o.hcp_id WHERE p.hcp_index <> 0 ORDER BY o.id LIMIT 1);
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

    // ------------------------------------------------------------------ volumes and fidelity: each check fails alone
    // Statistical checks compare the data with what the dataset declares (dataset_info.parameters) and stores
    // (ground_truth). Where the data cannot move without also moving an exact model another check tests, the corruption
    // changes the declaration instead: the data then no longer match what the dataset says it is.

    [Fact]
    public Task Declared_hcp_count_off_by_one() => OnlyFails("hcp_count", """
        UPDATE hcp.dataset_info SET hcp_count = hcp_count + 1;
        """);

    [Fact]
    public Task Touches_fifteen_percent_short_of_the_declared_volume() => OnlyFails("stimuli_per_hcp_year", """
        UPDATE hcp.dataset_info SET parameters = jsonb_set(parameters, '{config,stimuliPerHcpYear}', '46');
        """);

    [Fact]
    public Task Half_the_overlay_assignments_missing() => OnlyFails("territory_rows_per_hcp", """
        DELETE FROM hcp.territory_assignments WHERE NOT is_primary AND get_byte(uuid_send(id), 15) % 2 = 0;
        """);

    [Fact]
    public Task A_rep_covering_fifteen_hcps() => OnlyFails("hcps_per_primary_rep", """
        UPDATE hcp.territory_assignments SET rep_id = 'REP-00001'
        WHERE id IN (SELECT id FROM hcp.territory_assignments WHERE is_primary AND rep_id = 'REP-00002' ORDER BY id LIMIT 5);
        """);

    [Fact]
    public Task Twenty_campaigns_too_many() => OnlyFails("campaign_volume", """
        INSERT INTO hcp.campaigns (id, name, campaign_type, channels, start_date, end_date, status)
        SELECT ('00000000-0000-0000-0000-0000000c' || lpad(g::text, 4, '0'))::uuid, 'Old ' || g, 'email_nurture', '["email"]',
               ('2023-01-02'::date + 20 * g)::timestamp AT TIME ZONE 'UTC', ('2023-01-02'::date + 20 * g + 13)::timestamp AT TIME ZONE 'UTC', 'completed'
        FROM generate_series(1, 20) AS g;
        """);

    [Fact]
    public Task A_hundred_dermatologists_relabelled_oncologists() => OnlyFails("tv_specialty", """
        UPDATE hcp.hcp_profiles SET specialty = 'Oncology' WHERE specialty = 'Dermatology' AND hcp_index % 2 = 0;
        """);

    [Fact]
    public Task Tier_mix_not_the_declared_one() => OnlyFails("tv_tier", """
        UPDATE hcp.dataset_info SET parameters = jsonb_set(parameters, '{config,tierBySpecialty,default}', '{"Tier 1": 0.30, "Tier 2": 0.30, "Tier 3": 0.40}');
        """);

    [Fact]
    public Task New_targets_relabelled_traditional() => OnlyFails("tv_segment_given_tier", """
        UPDATE hcp.hcp_profiles SET segment = 'Traditional Preference' WHERE tier = 'Tier 3' AND segment = 'New Target' AND hcp_index % 3 = 0;
        """);

    [Fact]
    public Task A_quarter_of_clinical_ads_relabelled() => OnlyFails("tv_content_mix", """
        UPDATE hcp.stimuli_events SET content_category = 'product_update'
        WHERE channel = 'digital_ad' AND content_category = 'clinical_data' AND get_byte(uuid_send(id), 15) % 4 = 0;
        """);

    [Fact]
    public Task Phone_share_not_the_declared_one() => OnlyFails("channel_presence", """
        UPDATE hcp.dataset_info SET parameters = jsonb_set(parameters, '{config,channelFrequency,phone}', '{"min": 0, "max": 3}');
        """);

    [Fact]
    public Task A_fifth_of_tier_one_opens_missing() => OnlyFails("response_rate_recovery", """
        DELETE FROM hcp.outcome_events o USING hcp.hcp_profiles p
        WHERE p.id = o.hcp_id AND p.tier = 'Tier 1' AND o.outcome_type = 'email_open' AND get_byte(uuid_send(o.id), 15) % 5 = 0
          AND NOT EXISTS (SELECT 1 FROM hcp.outcome_events c WHERE c.stimulus_id = o.stimulus_id AND c.outcome_type = 'email_click');
        """, recomputeAggregates: true);

    [Fact]
    public Task Preferred_content_not_the_one_responses_followed() => OnlyFails("response_calibration", """
        UPDATE hcp.hcp_profiles SET preferred_content = CASE preferred_content
            WHEN 'clinical_data' THEN 'patient_outcomes' WHEN 'patient_outcomes' THEN 'access_savings' WHEN 'access_savings' THEN 'peer_perspective'
            WHEN 'peer_perspective' THEN 'product_update' ELSE 'clinical_data' END;
        """);

    [Theory]
    [InlineData("email_open")]
    [InlineData("meeting_scheduled")]
    [InlineData("sample_request")]
    public Task Latencies_squeezed_toward_their_median(string type) => OnlyFails($"ks_latency_{type}", Squeeze(type), recomputeAggregates: true);

    [Fact]
    public Task Click_delays_squeezed_toward_their_median() => OnlyFails("ks_latency_email_click", """
        UPDATE hcp.outcome_events c SET event_date = n.event_date
        FROM (
            SELECT c.id, op.event_date + make_interval(secs => -k.m * ln(1 - (0.2 + 0.6 * q.u) * (1 - exp(-k.w / k.m))) * 86400) AS event_date
            FROM hcp.outcome_events c
            JOIN hcp.outcome_events op ON op.stimulus_id = c.stimulus_id AND op.outcome_type = 'email_open'
            JOIN hcp.stimuli_events s ON s.id = c.stimulus_id
            JOIN hcp.hcp_profiles p ON p.id = c.hcp_id
            CROSS JOIN LATERAL (SELECT greatest(0.01, 0.5 * p.response_latency_factor) AS m,
                                       14 - extract(epoch FROM op.event_date - s.event_date) / 86400.0 AS w,
                                       extract(epoch FROM c.event_date - op.event_date) / 86400.0 AS g) k
            CROSS JOIN LATERAL (SELECT (1 - exp(-k.g / k.m)) / (1 - exp(-k.w / k.m)) AS u) q
            WHERE c.outcome_type = 'email_click' AND s.event_date < '2026-06-01'
        ) n
        WHERE n.id = c.id;
        """, recomputeAggregates: true);

    [Fact]
    public Task Latency_factors_shuffled_between_hcps() => OnlyFails("latency_by_hcp_factor", """
        UPDATE hcp.hcp_profiles p SET response_latency_factor = q.f
        FROM (SELECT id, coalesce(lead(response_latency_factor) OVER (ORDER BY hcp_index),
                                  (SELECT response_latency_factor FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1)) AS f
              FROM hcp.hcp_profiles) q
        WHERE q.id = p.id;
        """);

    [Fact]
    public Task Ad_affinities_shuffled_between_hcps() => OnlyFails("touch_volume_model", """
        UPDATE hcp.hcp_profiles p SET channel_affinities = jsonb_set(p.channel_affinities, '{digital_ad}', q.a)
        FROM (SELECT id, coalesce(lead(channel_affinities->'digital_ad') OVER (ORDER BY hcp_index),
                                  (SELECT channel_affinities->'digital_ad' FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1)) AS a
              FROM hcp.hcp_profiles) q
        WHERE q.id = p.id;
        """);

    [Fact]
    public Task Prescribing_moved_from_november_to_october() => OnlyFails("rx_seasonality", """
        UPDATE hcp.prescribing_history SET rx_count = round(rx_count * CASE extract(month FROM month AT TIME ZONE 'UTC') WHEN 10 THEN 1.04 ELSE 1 / 1.04 END)
        WHERE extract(month FROM month AT TIME ZONE 'UTC') IN (10, 11);
        """);

    [Fact]
    public Task Prescribing_moved_from_unengaged_to_engaged_months() => OnlyFails("rx_engagement_lift", $"""
        WITH {RxEngaged},
        m AS (SELECT month, sum(rx_count) FILTER (WHERE engaged > 0) AS up, sum(rx_count) FILTER (WHERE engaged = 0) AS down FROM k GROUP BY month)
        UPDATE hcp.prescribing_history r
        SET rx_count = round(k.rx_count * CASE WHEN k.engaged > 0 THEN 1.025 ELSE 1 - 0.025 * coalesce(m.up, 0) / nullif(m.down, 0) END)
        FROM k JOIN m ON m.month = k.month WHERE k.id = r.id;
        """);

    [Fact]
    public Task Prescribing_without_its_noise() => OnlyFails("rx_distribution", $"""
        WITH {RxEngaged}
        UPDATE hcp.prescribing_history r
        SET rx_count = round(p.base_conversion_rate * 50 * (1 + least(0.3, 0.1 * k.engaged)) * s.value)
        FROM k, hcp.hcp_profiles p, (SELECT period::int AS month_of_year, value FROM hcp.ground_truth WHERE parameter = 'rx_seasonality') s
        WHERE k.id = r.id AND p.id = r.hcp_id AND s.month_of_year = extract(month FROM r.month AT TIME ZONE 'UTC');
        """);

    /// <summary>Per Rx row, the engaged responses in the 30 days before its month (CTE k: id, month, rx_count, engaged).</summary>
    private const string RxEngaged = """
        eng AS (SELECT hcp_id, (event_date AT TIME ZONE 'UTC')::date AS d FROM hcp.outcome_events
                WHERE outcome_type IN ('email_click', 'meeting_scheduled', 'sample_request', 'webinar_attend')),
        k AS (SELECT r.id, r.month, r.rx_count, count(e.d) AS engaged
              FROM hcp.prescribing_history r
              LEFT JOIN eng e ON e.hcp_id = r.hcp_id AND e.d >= (r.month AT TIME ZONE 'UTC')::date - 30 AND e.d < (r.month AT TIME ZONE 'UTC')::date
              GROUP BY r.id, r.month, r.rx_count)
        """;

    /// <summary>
    /// Moves each latency of a type to the same quantile squeezed toward the median (u → 0.2 + 0.6u of its own truncated
    /// exponential): the distribution's shape changes, its mean quantile in every group of HCPs does not. Email opens
    /// followed by a click are left alone, so every click stays after its open, and so is the last month (a later
    /// response could fall after the end of the data).
    /// </summary>
    private static string Squeeze(string type) => $"""
        UPDATE hcp.outcome_events o SET event_date = n.event_date
        FROM (
            SELECT o.id, s.event_date + make_interval(secs => -k.m * ln(1 - (0.2 + 0.6 * q.u) * (1 - exp(-k.w / k.m))) * 86400) AS event_date
            FROM hcp.outcome_events o
            JOIN hcp.stimuli_events s ON s.id = o.stimulus_id
            JOIN hcp.hcp_profiles p ON p.id = o.hcp_id
            CROSS JOIN LATERAL (SELECT (SELECT value FROM hcp.ground_truth WHERE parameter = 'latency_mean_days' AND outcome_type = '{type}') * p.response_latency_factor AS m,
                                       (SELECT value FROM hcp.ground_truth WHERE parameter = 'attribution_window_days' AND outcome_type = '{type}') AS w) k
            CROSS JOIN LATERAL (SELECT (1 - exp(-(extract(epoch FROM o.event_date - s.event_date) / 86400.0) / k.m)) / (1 - exp(-k.w / k.m)) AS u) q
            WHERE o.outcome_type = '{type}' AND s.event_date < '2026-06-01'
              AND NOT EXISTS (SELECT 1 FROM hcp.outcome_events c WHERE c.stimulus_id = o.stimulus_id AND c.outcome_type = 'email_click')
        ) n
        WHERE n.id = o.id;
        """;

    // ------------------------------------------------------------------ the fidelity checks name what drifted

    [Fact]
    public async Task Response_recovery_names_the_drifted_cell()
    {
        // Tier 1 HCPs answer rep visits with samples at three quarters of the true rate.
        var report = await ValidateCorruptedAsync("""
            DELETE FROM hcp.outcome_events o USING hcp.stimuli_events s, hcp.hcp_profiles p
            WHERE s.id = o.stimulus_id AND p.id = s.hcp_id AND p.tier = 'Tier 1' AND s.channel = 'rep_visit'
              AND o.outcome_type = 'sample_request' AND get_byte(uuid_send(o.id), 15) % 4 = 0;
            """, recomputeAggregates: true);
        var check = report["response_rate_recovery"]!;
        Assert.False(check.Passed);
        Assert.StartsWith("rep_visit/sample_request/Tier 1", check.Examples[0], StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ helpers

    private Task OnlyFails(string check, string corruption, bool recomputeAggregates = false) => OnlyFail([check], corruption, recomputeAggregates);

    /// <summary>Exactly <paramref name="checks"/> fail (a segment its tier never has is both a category error and an impossible mix).</summary>
    private async Task OnlyFail(string[] checks, string corruption, bool recomputeAggregates = false)
    {
        var report = await ValidateCorruptedAsync(corruption, recomputeAggregates);
        var failed = report.Checks.Where(c => !c.Passed).ToList();
        foreach (var c in failed)
        {
            output.WriteLine($"{c.Name}: measured {c.Measured}, threshold {c.Threshold}; {string.Join(" | ", c.Examples)}");
        }
        Assert.All(checks, check => Assert.Contains(report.Checks, c => c.Name == check));
        Assert.Equal(checks.Order(StringComparer.Ordinal), failed.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(failed, result => Assert.NotEmpty(result.Examples));
        // What was measured: the offending rows of an exact rule, the statistic of a statistical check.
        Assert.All(failed, result => Assert.True(result.Category is IntegrityChecks.Category or StructureChecks.Category ? result.Measured > 0 : result.Measured is not null));
    }

    private async Task<ValidationReport> ValidateCorruptedAsync(string corruption, bool recomputeAggregates)
    {
        await using var connection = await f.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        try
        {
            await Sql.ExecuteAsync(connection, corruption);
            if (recomputeAggregates)
            {
                await Sql.ExecuteAsync(connection, Aggregates.UpdateChannelEngagements(DevelopmentDatasetFixture.Schema));
                await Sql.ExecuteAsync(connection, Aggregates.UpdateParticipationCounts(DevelopmentDatasetFixture.Schema));
            }
            return await DatasetValidator.RunAsync(connection, DevelopmentDatasetFixture.Schema, ValidationScope.AllButPerformance, CancellationToken.None);
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }
}
