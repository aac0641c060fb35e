using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Simulation;
using NpgsqlTypes;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Structure: the generator's rules hold in the data, every one "0 offending rows".
/// <list type="bullet">
/// <item>one_primary_rep; campaign_dates_plausible (end ≥ start, CampaignMinDays–CampaignMaxDays long, end day inclusive);
/// campaign_concurrency (≤ MaxConcurrentCampaigns running on any day)</item>
/// <item>no_holiday_touches (major US holidays and their observed weekdays, from the engine's calendar)</item>
/// <item>contact_limit_monthly_max, contact_limit_min_gap, contact_limit_personal_blackout, contact_limit_preferred_days</item>
/// <item>channel_capacity (email sends per day, visits and calls per rep per day, impressions and conference touches per day, webinar seats per event)</item>
/// <item>rx_hcp_months (one Rx row per HCP and month that ends in the window, none for a month not yet complete), email_batch_size, webinar_invite_lead, webinar_attendance_on_event</item>
/// <item>events_in_window, campaign_touches_within_campaign, category_adherence, local_working_hours,
/// no_campaign_email_on_eves</item>
/// <item>response_hours, rep_one_state_a_day, overlay_reps_active, bounced_addresses_suppressed</item>
/// </list>
/// Row-level rules on stimuli share one scan; the per-HCP limits (gap, month) one sort, and the per-day capacity and
/// batch limits two hash aggregates (a separate part, so that the two heavy scans can run on different connections).
/// </summary>
internal static class StructureChecks
{
    public const string Category = "structure";

    /// <summary>The checks, as independent parts that may run on separate connections.</summary>
    public static IEnumerable<CheckPart> Parts() =>
    [
        new(run => run.OffendersAsync("one_primary_rep", Category, "Every HCP has exactly one primary rep assignment.",
            $"""
            SELECT p.id, count(t.id) FILTER (WHERE t.is_primary) AS primary_reps
            FROM {run.C.S}.hcp_profiles p LEFT JOIN {run.C.S}.territory_assignments t ON t.hcp_id = p.id
            GROUP BY p.id HAVING count(t.id) FILTER (WHERE t.is_primary) <> 1
            """)),
        new(CampaignsAsync),
        new(RowRulesAsync, Weight: 5),
        new(ContactLimitsAsync, Weight: 4),
        new(CapacityAsync, Weight: 2),
        new(RxHcpMonthsAsync),
        new(WebinarAttendanceAsync),
        new(FieldAndClockAsync, Weight: 2),
    ];

    /// <summary>Overlay reps covering fewer HCPs who see reps than this, or windows shorter than <see cref="OverlayMinWindowDays"/>, are not required to show visits.</summary>
    public const int OverlayMinHcps = 40;
    public const int OverlayMinWindowDays = 90;

    /// <summary>
    /// The field force's and the clock's rules: responses in their rhythm's local hours (meetings and sample requests in
    /// business hours of local business days; nothing on Christmas Day), a rep in one state a day, overlay reps that make
    /// visits, and nothing sent to a hard-bounced address before its suppressed_until day.
    /// </summary>
    private static Task FieldAndClockAsync(CheckRun run)
    {
        var s = run.C.S;
        var business = ResponseRhythm.Business.Workday.Select((rate, hour) => (rate, hour)).Where(x => x.rate > 0).Select(x => x.hour).ToArray();
        return run.TaggedOffendersAsync(Category,
        [
            ("response_hours", F($"Meetings scheduled and sample requests come in business hours ({business.Min():00}:00–{business.Max() + 1:00}:00 local, the response_rhythm 'business' rates) on local business days (no weekend, no major holiday); no response at all on Christmas Day (local).")),
            ("rep_one_state_a_day", "A rep's visits of a (local) day are to HCPs of one state."),
            ("overlay_reps_active", F($"Every overlay rep covering {OverlayMinHcps}+ HCPs who see reps makes rep visits (windows of {OverlayMinWindowDays}+ days).")),
            ("bounced_addresses_suppressed", "After a hard bounce (metadata suppressed_until), no email or webinar invitation goes to the HCP before that day (local)."),
        ],
        $"""
        SELECT 'response_hours' AS check_name, concat_ws(' ', o.id, o.outcome_type, to_char(o.event_date AT TIME ZONE p.time_zone, 'Dy YYYY-MM-DD HH24:MI'), 'local') AS example
        FROM {s}.outcome_events o JOIN {s}.hcp_profiles p ON p.id = o.hcp_id
        CROSS JOIN LATERAL (SELECT o.event_date AT TIME ZONE p.time_zone AS local) l
        WHERE o.outcome_type IN ('email_open', 'email_click', 'meeting_scheduled', 'sample_request') AND p.time_zone <> ''
          AND (to_char(l.local, 'MM-DD') = '12-25'
               OR (o.outcome_type IN ('meeting_scheduled', 'sample_request')
                   AND (NOT (extract(hour FROM l.local)::int = ANY(@businessHours)) OR extract(isodow FROM l.local) >= 6 OR l.local::date = ANY(@holidays))))
        UNION ALL
        SELECT 'rep_one_state_a_day', concat_ws(' ', v.rep_id, v.day, v.states, 'states')
        FROM (
            SELECT st.rep_id, (st.event_date AT TIME ZONE p.time_zone)::date AS day, count(DISTINCT p.state) AS states
            FROM {s}.stimuli_events st JOIN {s}.hcp_profiles p ON p.id = st.hcp_id
            WHERE st.channel = 'rep_visit' AND p.time_zone <> ''
            GROUP BY 1, 2
        ) v WHERE v.states > 1
        UNION ALL
        SELECT 'overlay_reps_active', concat_ws(' ', t.rep_id, count(*), 'HCPs who see reps, no visit')
        FROM {s}.territory_assignments t
        WHERE NOT t.is_primary AND @through - @windowStart + 1 >= @overlayMinDays
          AND NOT EXISTS (SELECT 1 FROM {s}.hcp_contact_limits l WHERE l.hcp_id = t.hcp_id AND l.channel = 'rep_visit' AND l.max_contacts_per_month = 0)
          AND NOT EXISTS (SELECT 1 FROM {s}.stimuli_events v WHERE v.channel = 'rep_visit' AND v.rep_id = t.rep_id)
        GROUP BY t.rep_id HAVING count(*) >= @overlayMinHcps
        UNION ALL
        SELECT 'bounced_addresses_suppressed', concat_ws(' ', x.id, x.channel, (x.event_date AT TIME ZONE p.time_zone)::date, 'before', b.metadata->>'suppressed_until')
        FROM {s}.stimuli_events b
        JOIN {s}.hcp_profiles p ON p.id = b.hcp_id
        JOIN {s}.stimuli_events x ON x.hcp_id = b.hcp_id AND x.channel IN ('email', 'webinar') AND x.event_date > b.event_date
        WHERE b.channel IN ('email', 'webinar') AND b.metadata->>'suppressed_until' ~ '^\d{"{4}"}-\d{"{2}"}-\d{"{2}"}$' AND p.time_zone <> ''
          AND (x.event_date AT TIME ZONE p.time_zone)::date < (b.metadata->>'suppressed_until')::date
        """,
        p =>
        {
            p.AddWithValue("businessHours", business);
            p.AddWithValue("holidays", NpgsqlDbType.Array | NpgsqlDbType.Date, run.C.Holidays);
            p.AddWithValue("windowStart", run.C.Info.WindowStart);
            p.AddWithValue("through", run.C.Info.SimulatedThrough);
            p.AddWithValue("overlayMinDays", OverlayMinWindowDays);
            p.AddWithValue("overlayMinHcps", (long)OverlayMinHcps);
        });
    }

    private static string F(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Task CampaignsAsync(CheckRun run)
    {
        var s = run.C.S;
        var cfg = run.C.Config;
        return run.TaggedOffendersAsync(Category,
        [
            ("campaign_dates_plausible", $"Every campaign ends on or after its start and runs {cfg.CampaignMinDays}–{cfg.CampaignMaxDays} days (end day inclusive)."),
            ("campaign_concurrency", $"At most {cfg.MaxConcurrentCampaigns} campaigns run on any day."),
        ],
        $"""
        WITH c AS (
            SELECT id, (start_date AT TIME ZONE 'UTC')::date AS first_day, (end_date AT TIME ZONE 'UTC')::date AS last_day FROM {s}.campaigns
        )
        SELECT 'campaign_dates_plausible' AS check_name, concat_ws(' ', id, first_day, 'to', last_day) AS example
        FROM c WHERE last_day < first_day OR last_day - first_day + 1 NOT BETWEEN @minDays AND @maxDays
        UNION ALL
        SELECT 'campaign_concurrency', concat_ws(' ', d::date, count(*), 'campaigns running')
        FROM generate_series((SELECT min(first_day) FROM c)::timestamp, (SELECT max(last_day) FROM c)::timestamp, interval '1 day') AS d
        JOIN c ON d::date BETWEEN c.first_day AND c.last_day
        GROUP BY d HAVING count(*) > @maxConcurrent
        """,
        p =>
        {
            p.AddWithValue("minDays", cfg.CampaignMinDays);
            p.AddWithValue("maxDays", cfg.CampaignMaxDays);
            p.AddWithValue("maxConcurrent", (long)cfg.MaxConcurrentCampaigns);
        });
    }

    /// <summary>
    /// One prescribing row per HCP and month. The full comparison (every HCP × month against the rows) is skipped when a
    /// cheaper count proves it would find nothing: with a valid unique index on (hcp_id, month), rows of known HCPs that all
    /// fall exactly on a window month's first instant and number HCPs × months leave no HCP a month missing or doubled.
    /// </summary>
    private static Task RxHcpMonthsAsync(CheckRun run)
    {
        var s = run.C.S;
        return run.OffendersAsync("rx_hcp_months", Category,
            "Every HCP has exactly one prescribing row for each month that ends in the dataset window (a month's row is written when it is complete: the window's first month's too, the running month's not yet), and none for other months (rows of unknown HCPs are fk_rx_hcp's).",
            $"""
            WITH months AS (
                SELECT m::date AS month FROM generate_series(date_trunc('month', @windowStart::timestamp), @through::timestamp, interval '1 month') AS m
                WHERE (m + interval '1 month' - interval '1 day')::date <= @through
            ),
            unique_key AS (
                SELECT EXISTS (
                    SELECT 1 FROM pg_index i
                    WHERE i.indrelid = to_regclass(@rxTable) AND i.indisunique AND i.indisvalid
                      AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indnkeyatts = 2
                      AND i.indkey[0] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = 'hcp_id')
                      AND i.indkey[1] = (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = 'month')
                ) AS ok
            ),
            -- A filter against the few months' instants: one scan (a join with the months was planned as a merge over the
            -- month index, three times as slow).
            complete AS (
                SELECT count(*) = (SELECT count(*) FROM {s}.hcp_profiles) * (SELECT count(*) FROM months)
                       AND count(*) = count(*) FILTER (WHERE r.month IN (SELECT m.month::timestamp AT TIME ZONE 'UTC' FROM months m)) AS ok
                FROM {s}.prescribing_history r
                WHERE EXISTS (SELECT 1 FROM {s}.hcp_profiles p WHERE p.id = r.hcp_id)
            ),
            expected AS (SELECT p.id AS hcp_id, m.month FROM {s}.hcp_profiles p CROSS JOIN months m),
            actual AS (
                SELECT r.hcp_id, (r.month AT TIME ZONE 'UTC')::date AS month, count(*) AS rows
                FROM {s}.prescribing_history r
                WHERE EXISTS (SELECT 1 FROM {s}.hcp_profiles p WHERE p.id = r.hcp_id)
                GROUP BY 1, 2
            )
            SELECT coalesce(e.hcp_id, a.hcp_id) AS hcp_id, coalesce(e.month, a.month) AS month, coalesce(a.rows, 0) AS rows,
                   CASE WHEN e.hcp_id IS NULL THEN 'outside the window' WHEN a.rows IS NULL THEN 'missing' ELSE 'duplicated' END AS problem
            FROM expected e FULL JOIN actual a ON a.hcp_id = e.hcp_id AND a.month = e.month
            WHERE (e.hcp_id IS NULL OR a.rows IS DISTINCT FROM 1)
              AND NOT ((SELECT ok FROM unique_key) AND (SELECT ok FROM complete))
            """,
            p =>
            {
                p.AddWithValue("windowStart", run.C.Info.WindowStart);
                p.AddWithValue("through", run.C.Info.SimulatedThrough);
                p.AddWithValue("rxTable", $"{s}.prescribing_history");
            });
    }

    private static Task WebinarAttendanceAsync(CheckRun run)
    {
        var s = run.C.S;
        return run.OffendersAsync("webinar_attendance_on_event", Category,
            "Every webinar attendance is dated on the day (Eastern) of the webinar its invitation named.",
            $"""
            SELECT o.id, (o.event_date AT TIME ZONE 'America/New_York')::date AS attended, s.metadata->>'event_date' AS event_date
            FROM {s}.outcome_events o JOIN {s}.stimuli_events s ON s.id = o.stimulus_id
            WHERE o.outcome_type = 'webinar_attend'
              AND (s.metadata->>'event_date') IS DISTINCT FROM to_char(o.event_date AT TIME ZONE 'America/New_York', 'YYYY-MM-DD')
            """);
    }

    /// <summary>
    /// Rules each stimulus row must satisfy on its own, checked in one scan (with the outcome and profile parts of
    /// events_in_window and category_adherence beside it).
    /// </summary>
    private static Task RowRulesAsync(CheckRun run)
    {
        var s = run.C.S;
        var cfg = run.C.Config;
        var tierSegments = SimulationConfig.Tiers.SelectMany(t => cfg.SegmentByTier[t].Keys.Select(seg => (Tier: t, Segment: seg))).ToArray();
        var outcomeTypes = cfg.BaseResponseRates.Values.SelectMany(v => v.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        // Each channel's one stimulus type, as a CASE over the channel: cheaper per row than a join with the pairs.
        var knownTypes = string.Join(" ", Channel.Names.Select((_, i) => $"WHEN @channel{i} THEN st.stimulus_type = @type{i}"));
        // Each channel's local hours likewise, on the local time of day and an integer weekday: a subquery over the hours
        // per row, and a numeric local hour, cost more than half of this scan. Bounds are whole minutes, so comparing
        // times is exactly comparing hours.
        var offHours = string.Join(" ", Channel.Names.Select((_, i) => $"WHEN @channel{i} THEN r.local_time < @whFrom{i} OR r.local_time >= @whTo{i} OR (@whBusiness{i} AND r.isodow >= 6)"));
        return run.TaggedOffendersAsync(Category,
        [
            ("no_holiday_touches", "No touch falls on a major US holiday (New Year's Day, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas) or its observed weekday."),
            ("events_in_window", "Every touch and every outcome is dated within [window_start, simulated_through]."),
            ("campaign_touches_within_campaign", "Every campaign-linked touch falls within its campaign's dates, uses one of the campaign's channels, and its HCP is enrolled in the campaign."),
            ("webinar_invite_lead", $"Every webinar invitation goes out exactly {cfg.WebinarInviteLeadDays} days before its event (metadata event_date)."),
            ("contact_limit_personal_blackout", "No HCP is touched on one of its personal blackout days (hcp_contact_limits.blackout_dates, \"MM-DD\")."),
            ("contact_limit_preferred_days", "Where an HCP has preferred_days for a channel (ISO weekdays; phone calls, rep visits), its touches fall only on them."),
            ("category_adherence", "Categorical columns hold configured values only: specialty, tier, segment allowed for its tier, preferred channel and content; stimulus channel with its stimulus type, content category and delivery status; outcome type."),
            ("local_working_hours", "Every touch falls in its channel's local working hours in the HCP's time zone (email 07:00–12:00, rep visits 08:00–17:30, phone 09:00–17:00, webinar invitations 08:00–11:00, ads 06:00–23:00, conference touches 08:00–18:00 Central), and email, rep visits, phone calls and invitations never on a local Saturday or Sunday."),
            ("no_campaign_email_on_eves", "No campaign email goes out on Christmas Eve or New Year's Eve (local day)."),
        ],
        $"""
        WITH c AS (
            SELECT id, channels, (start_date AT TIME ZONE 'UTC')::date AS first_day, (end_date AT TIME ZONE 'UTC')::date AS last_day FROM {s}.campaigns
        ),
        -- Per HCP and channel: preferred weekdays, and the window's days whose "MM-DD" is one of its personal blackout days
        -- (matched against the window's calendar: a string that is no date matches no day).
        calendar AS MATERIALIZED (
            SELECT d::date AS day, to_char(d, 'MM-DD') AS mmdd FROM generate_series(@windowStart::timestamp - interval '1 day', @through::timestamp, interval '1 day') AS d
        ),
        -- Expanded on their own, so that the calendar is matched once (not once per contact-limit row).
        blackout_entries AS MATERIALIZED (
            SELECT l.hcp_id, l.channel, b.mmdd
            FROM {s}.hcp_contact_limits l
            CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(l.blackout_dates) = 'array' THEN l.blackout_dates ELSE '[]' END) AS b(mmdd)
        ),
        blackout AS (
            SELECT e.hcp_id, e.channel, array_agg(cal.day) AS days
            FROM blackout_entries e JOIN calendar cal ON cal.mmdd = e.mmdd
            GROUP BY e.hcp_id, e.channel
        ),
        rules AS (
            SELECT l.hcp_id, l.channel, l.preferred_days, b.days AS blackout_days
            FROM {s}.hcp_contact_limits l LEFT JOIN blackout b ON b.hcp_id = l.hcp_id AND b.channel = l.channel
            WHERE l.preferred_days IS NOT NULL OR b.days IS NOT NULL
        ),
        -- Each touch's local day and time in its HCP's time zone (conference touches: at the congress, Central time); none for
        -- a touch of an unknown HCP (fk_stimuli_hcp's).
        r AS (
            SELECT st.id, st.hcp_id, st.channel, st.stimulus_type, st.content_category, st.delivery_status, st.day, st.utc_day, st.campaign_id, st.metadata,
                   st.local, st.local::time AS local_time, (((st.day - DATE '2000-01-03') % 7) + 7) % 7 + 1 AS isodow,
                   c.id AS campaign, c.first_day, c.last_day, c.channels, cp.hcp_id AS enrolled,
                   coalesce(CASE st.channel {knownTypes} END, false) AS known_type,
                   ru.preferred_days, ru.blackout_days
            FROM (SELECT x.*, x.local::date AS day FROM (
                      SELECT s.*, (s.event_date AT TIME ZONE 'UTC')::date AS utc_day,
                             CASE WHEN s.channel = 'conference' THEN s.event_date AT TIME ZONE @congressZone ELSE s.event_date AT TIME ZONE p.time_zone END AS local
                      FROM {s}.stimuli_events s LEFT JOIN {s}.hcp_profiles p ON p.id = s.hcp_id) x OFFSET 0) st
            LEFT JOIN c ON c.id = st.campaign_id
            LEFT JOIN {s}.campaign_participation cp ON cp.campaign_id = st.campaign_id AND cp.hcp_id = st.hcp_id
            LEFT JOIN rules ru ON ru.hcp_id = st.hcp_id AND ru.channel = st.channel
        ),
        flagged AS (
            SELECT r.*,
                   r.day = ANY(@holidays) AS holiday,
                   r.utc_day < @windowStart OR r.utc_day > @through AS outside,
                   coalesce(CASE r.channel {offHours} END, false) AS off_hours,
                   r.channel = 'email' AND r.campaign_id IS NOT NULL AND to_char(r.day, 'MM-DD') IN ('12-24', '12-31') AS on_eve,
                   r.campaign IS NOT NULL AND (r.day NOT BETWEEN r.first_day AND r.last_day OR NOT (r.channels ? r.channel) OR r.enrolled IS NULL) AS off_campaign,
                   r.channel = 'webinar' AND CASE WHEN r.metadata->>'event_date' ~ '^\d{"{4}"}-\d{"{2}"}-\d{"{2}"}$'
                                                  THEN (r.metadata->>'event_date')::date - r.day <> @leadDays ELSE true END AS bad_lead,
                   coalesce(r.day = ANY(r.blackout_days), false) AS blackout,
                   r.preferred_days IS NOT NULL AND NOT (r.preferred_days @> to_jsonb((((r.day - DATE '2000-01-03') % 7) + 7) % 7 + 1)) AS not_preferred,
                   NOT r.known_type OR r.content_category IS NULL OR NOT (r.content_category = ANY(@contents))
                       OR r.delivery_status NOT IN ('delivered', 'bounced', 'failed') AS bad_category
            FROM r OFFSET 0
        )
        SELECT v.check_name, concat_ws(' ', f.id, f.hcp_id, f.channel, f.day, v.detail) AS example
        FROM flagged f
        CROSS JOIN LATERAL (VALUES
            ('no_holiday_touches', f.holiday, NULL),
            ('events_in_window', f.outside, NULL),
            ('campaign_touches_within_campaign', f.off_campaign, concat_ws(' ', 'campaign', f.campaign, f.first_day, 'to', f.last_day, f.channels::text, CASE WHEN f.enrolled IS NULL THEN 'not enrolled' END)),
            ('webinar_invite_lead', f.bad_lead, 'event ' || coalesce(f.metadata->>'event_date', 'missing')),
            ('contact_limit_personal_blackout', f.blackout, 'blackout ' || to_char(f.day, 'MM-DD')),
            ('contact_limit_preferred_days', f.not_preferred, concat_ws(' ', 'weekday', extract(isodow FROM f.day), 'preferred', f.preferred_days::text)),
            ('category_adherence', f.bad_category, concat_ws('/', f.stimulus_type, f.content_category, f.delivery_status)),
            ('local_working_hours', f.off_hours, concat_ws(' ', 'local', to_char(f.day, 'Dy'), to_char(f.local, 'HH24:MI'))),
            ('no_campaign_email_on_eves', f.on_eve, 'campaign ' || f.campaign_id)
        ) AS v(check_name, bad, detail)
        WHERE (f.holiday OR f.outside OR f.off_campaign OR f.bad_lead OR f.blackout OR f.not_preferred OR f.bad_category OR f.off_hours OR f.on_eve) AND v.bad
        UNION ALL
        SELECT 'events_in_window', concat_ws(' ', 'outcome', id, event_date)
        FROM {s}.outcome_events WHERE (event_date AT TIME ZONE 'UTC')::date < @windowStart OR (event_date AT TIME ZONE 'UTC')::date > @through
        UNION ALL
        SELECT 'category_adherence', concat_ws(' ', 'hcp', p.id, concat_ws('/', p.specialty, p.tier, p.segment, p.preferred_channel, p.preferred_content))
        FROM {s}.hcp_profiles p
        LEFT JOIN unnest(@tiers::text[], @segments::text[]) AS ts(tier, segment) ON ts.tier = p.tier AND ts.segment = p.segment
        WHERE ts.tier IS NULL OR NOT (p.specialty = ANY(@specialties)) OR NOT (p.preferred_channel = ANY(@channels)) OR NOT (p.preferred_content = ANY(@contents))
        UNION ALL
        SELECT 'category_adherence', concat_ws(' ', 'outcome', o.id, o.outcome_type)
        FROM {s}.outcome_events o WHERE NOT (o.outcome_type = ANY(@outcomeTypes))
        """,
        p =>
        {
            p.AddWithValue("holidays", NpgsqlDbType.Array | NpgsqlDbType.Date, run.C.Holidays);
            p.AddWithValue("windowStart", run.C.Info.WindowStart);
            p.AddWithValue("through", run.C.Info.SimulatedThrough);
            p.AddWithValue("leadDays", cfg.WebinarInviteLeadDays);
            p.AddWithValue("tiers", tierSegments.Select(x => x.Tier).ToArray());
            p.AddWithValue("segments", tierSegments.Select(x => x.Segment).ToArray());
            p.AddWithValue("specialties", cfg.SpecialtyWeights.Keys.ToArray());
            p.AddWithValue("channels", Channel.Names);
            for (var i = 0; i < Channel.Names.Length; i++)
            {
                p.AddWithValue($"channel{i}", Channel.Names[i]);
                p.AddWithValue($"type{i}", Channel.StimulusTypes[i]);
            }
            p.AddWithValue("contents", cfg.ContentCategories.Keys.ToArray());
            p.AddWithValue("outcomeTypes", outcomeTypes);
            p.AddWithValue("congressZone", LocalHours.CongressZone.Name);
            for (var c = 0; c < Channel.Names.Length; c++)
            {
                p.AddWithValue($"whFrom{c}", NpgsqlDbType.Time, TimeOfDay(LocalHours.Bounds(c).From));
                p.AddWithValue($"whTo{c}", NpgsqlDbType.Time, TimeOfDay(LocalHours.Bounds(c).To));
                p.AddWithValue($"whBusiness{c}", LocalHours.IsBusinessChannel(c));
            }
        });
    }

    /// <summary>A local hour bound as a time of day; whole minutes only, so that the comparison is exact.</summary>
    private static TimeSpan TimeOfDay(double hours)
    {
        var minutes = hours * 60;
        if (minutes != Math.Round(minutes))
        {
            throw new InvalidOperationException($"Local hour bound {hours.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a whole minute.");
        }
        return TimeSpan.FromMinutes(minutes);
    }

    /// <summary>
    /// Per-HCP limits from one sort by (HCP, channel, local day): the gap to the previous touch on the same channel
    /// (min_days_between_contacts), and the touch max_contacts_per_month places back falling in the same calendar month
    /// (more than the maximum in that month). Days and months are the HCP's local ones.
    /// </summary>
    private static Task ContactLimitsAsync(CheckRun run)
    {
        var s = run.C.S;
        return run.TaggedOffendersAsync(Category,
        [
            ("contact_limit_monthly_max", "No HCP gets more touches on a channel in a calendar month than its max_contacts_per_month (offenders: the touches beyond the maximum)."),
            ("contact_limit_min_gap", "Touches of one HCP on one channel are at least min_days_between_contacts calendar days apart."),
        ],
        $"""
        WITH w AS (
            SELECT x.id, x.hcp_id, x.channel, x.day, x.max_contacts_per_month, x.min_days_between_contacts,
                   lag(x.day) OVER h AS previous_day,
                   lag(x.day, greatest(x.max_contacts_per_month, 0)) OVER h AS max_back
            FROM (
                SELECT s.id, s.hcp_id, s.channel, (s.event_date AT TIME ZONE p.time_zone)::date AS day, l.max_contacts_per_month, l.min_days_between_contacts
                FROM {s}.stimuli_events s JOIN {s}.hcp_contact_limits l ON l.hcp_id = s.hcp_id AND l.channel = s.channel
                JOIN {s}.hcp_profiles p ON p.id = s.hcp_id
            ) x
            WINDOW h AS (PARTITION BY x.hcp_id, x.channel ORDER BY x.day, x.id)
        ),
        limited AS (
            SELECT w.*,
                   w.max_back IS NOT NULL AND date_trunc('month', w.max_back::timestamp) = date_trunc('month', w.day::timestamp) AS over_month,
                   w.day - w.previous_day < w.min_days_between_contacts AS too_close
            FROM w
        )
        SELECT v.check_name, v.example
        FROM limited x
        CROSS JOIN LATERAL (VALUES
            ('contact_limit_monthly_max', x.over_month,
             concat_ws(' ', x.id, x.hcp_id, x.channel, x.day, 'is past the', x.max_contacts_per_month, 'touches allowed in', to_char(x.day, 'YYYY-MM'))),
            ('contact_limit_min_gap', x.too_close,
             concat_ws(' ', x.id, x.hcp_id, x.channel, x.previous_day, 'then', x.day, 'min gap', x.min_days_between_contacts))
        ) AS v(check_name, bad, example)
        WHERE (x.over_month OR x.too_close) AND v.bad
        """);
    }

    /// <summary>
    /// Capacity per channel and day and per rep and day (channel_capacity), webinar seats per event from the
    /// attendances, and the size and single day of each email batch (EmailBatchSize): hash aggregates, no sort.
    /// </summary>
    private static Task CapacityAsync(CheckRun run)
    {
        var s = run.C.S;
        var cfg = run.C.Config;
        return run.TaggedOffendersAsync(Category,
        [
            ("channel_capacity", "Channel capacity holds: email sends per day, rep visits and phone calls per rep per day, ad impressions and conference touches per day (the HCPs' local days), webinar seats per event."),
            ("email_batch_size", $"Every campaign email batch (metadata send_batch) goes out on one local day to at most {cfg.EmailBatchSize} HCPs."),
        ],
        $"""
        WITH cap AS (
            SELECT channel, capacity_type, min(limit_value) AS limit_value, min((effective_date AT TIME ZONE 'UTC')::date) AS since
            FROM {s}.channel_capacity GROUP BY channel, capacity_type
        ),
        -- Daily capacity is per channel, and per rep for rep visits and phone calls (rep_key is null for the others).
        -- Inlined in both aggregates: materialized, it stored every touch with its metadata for the few campaign emails
        -- the batches read (4.1 s against 2.8 s at load_test).
        local AS NOT MATERIALIZED (
            SELECT s.channel, s.rep_id, s.campaign_id, s.metadata, (s.event_date AT TIME ZONE coalesce(p.time_zone, 'UTC'))::date AS day
            FROM {s}.stimuli_events s LEFT JOIN {s}.hcp_profiles p ON p.id = s.hcp_id
        ),
        daily AS (
            SELECT channel, CASE WHEN channel IN ('rep_visit', 'phone') THEN rep_id END AS rep_key, day, count(*) AS n
            FROM local
            GROUP BY 1, 2, 3
        ),
        batches AS (
            SELECT metadata->>'send_batch' AS batch, count(*) AS n, min(day) AS first_day, max(day) AS last_day
            FROM local
            WHERE channel = 'email' AND campaign_id IS NOT NULL
            GROUP BY 1
        )
        SELECT 'channel_capacity' AS check_name, concat_ws(' ', d.channel, cap.capacity_type, d.rep_key, d.day, d.n, 'used, limit', cap.limit_value) AS example
        FROM daily d JOIN cap ON cap.channel = d.channel
            AND cap.capacity_type = CASE d.channel WHEN 'email' THEN 'sends' WHEN 'digital_ad' THEN 'impressions' WHEN 'conference' THEN 'touches'
                                                   WHEN 'rep_visit' THEN 'visits_per_rep' WHEN 'phone' THEN 'calls_per_rep' END
        WHERE d.day >= cap.since AND d.n > cap.limit_value
        UNION ALL
        SELECT 'channel_capacity', concat_ws(' ', 'webinar', cap.capacity_type, w.webinar_id, w.n, 'attended, limit', cap.limit_value)
        FROM (SELECT metadata->>'webinar_id' AS webinar_id, count(*) AS n FROM {s}.outcome_events WHERE outcome_type = 'webinar_attend' GROUP BY 1) w
        JOIN cap ON cap.channel = 'webinar' AND cap.capacity_type = 'seats_per_event'
        WHERE w.n > cap.limit_value
        UNION ALL
        SELECT 'email_batch_size', concat_ws(' ', b.batch, b.n, 'sends from', b.first_day, 'to', b.last_day)
        FROM batches b WHERE b.batch IS NOT NULL AND (b.n > @batchSize OR b.first_day <> b.last_day)
        """,
        p => p.AddWithValue("batchSize", (long)cfg.EmailBatchSize));
    }
}
