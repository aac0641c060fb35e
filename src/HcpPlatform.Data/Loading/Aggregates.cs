namespace HcpPlatform.Data.Loading;

/// <summary>
/// Derived columns, computed set-based in SQL after every change (000 Task 10): each HCP's
/// channel_engagements (one entry per channel: score, lastContact, totalTouches, responseRate) and
/// engagement_score, and each participation's touch and response counts. The validator recomputes the
/// same queries and compares them with what is stored.
/// </summary>
public static class Aggregates
{
    /// <summary>
    /// A query returning (hcp_id, channel_engagements jsonb, engagement_score) for every HCP, or for the
    /// HCPs in the uuid[] parameter @hcps when <paramref name="onlySomeHcps"/> is set.
    /// Score per channel = 0.7 × min(100, 2.5 × response rate %) + 0.3 × min(100, 5 × touches);
    /// the overall score is the touch-weighted mean of the channel scores.
    /// </summary>
    public static string ChannelEngagementsQuery(string schema, bool onlySomeHcps = false)
    {
        var filter = onlySomeHcps ? "WHERE p.id = ANY(@hcps)" : "";
        var stimulusFilter = onlySomeHcps ? "WHERE s.hcp_id = ANY(@hcps)" : "";
        return $"""
            WITH channels(channel, ord) AS (
                VALUES ('email', 1), ('rep_visit', 2), ('phone', 3), ('webinar', 4), ('digital_ad', 5), ('conference', 6)
            ),
            touches AS (
                SELECT s.hcp_id, s.channel, count(*) AS touches, max(s.event_date) AS last_contact
                FROM "{schema}".stimuli_events s {stimulusFilter}
                GROUP BY s.hcp_id, s.channel
            ),
            responses AS (
                SELECT s.hcp_id, s.channel, count(*) AS responses
                FROM "{schema}".outcome_events o
                JOIN "{schema}".stimuli_events s ON s.id = o.stimulus_id
                {stimulusFilter}
                GROUP BY s.hcp_id, s.channel
            ),
            per_channel AS (
                SELECT p.id AS hcp_id, c.channel, c.ord,
                       coalesce(t.touches, 0) AS touches,
                       coalesce(r.responses, 0) AS responses,
                       t.last_contact
                FROM "{schema}".hcp_profiles p
                CROSS JOIN channels c
                LEFT JOIN touches t ON t.hcp_id = p.id AND t.channel = c.channel
                LEFT JOIN responses r ON r.hcp_id = p.id AND r.channel = c.channel
                {filter}
            ),
            scored AS (
                SELECT *,
                       CASE WHEN touches = 0 THEN 0 ELSE round(100.0 * responses / touches, 2) END AS response_rate,
                       CASE WHEN touches = 0 THEN 0
                            ELSE round(0.7 * least(100, 250.0 * responses / touches) + 0.3 * least(100, 5.0 * touches), 1) END AS score
                FROM per_channel
            )
            SELECT hcp_id,
                   jsonb_agg(jsonb_build_object(
                       'channel', channel,
                       'score', score,
                       'lastContact', to_char(last_contact AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                       'totalTouches', touches,
                       'responseRate', response_rate) ORDER BY ord) AS channel_engagements,
                   coalesce(round(sum(score * touches) / nullif(sum(touches), 0), 1), 0)::double precision AS engagement_score
            FROM scored
            GROUP BY hcp_id
            """;
    }

    public static string UpdateChannelEngagements(string schema, bool onlySomeHcps = false) => $"""
        UPDATE "{schema}".hcp_profiles p
        SET channel_engagements = a.channel_engagements, engagement_score = a.engagement_score
        FROM ({ChannelEngagementsQuery(schema, onlySomeHcps)}) a
        WHERE a.hcp_id = p.id
        """;

    /// <summary>(id, touch_count, response_count) for every participation row, or those of the HCPs in @hcps.</summary>
    public static string ParticipationCountsQuery(string schema, bool onlySomeHcps = false) => $"""
        WITH t AS (
            SELECT campaign_id, hcp_id, count(*) AS touches
            FROM "{schema}".stimuli_events WHERE campaign_id IS NOT NULL {(onlySomeHcps ? "AND hcp_id = ANY(@hcps)" : "")}
            GROUP BY campaign_id, hcp_id
        ),
        r AS (
            SELECT s.campaign_id, s.hcp_id, count(*) AS responses
            FROM "{schema}".outcome_events o
            JOIN "{schema}".stimuli_events s ON s.id = o.stimulus_id
            WHERE s.campaign_id IS NOT NULL {(onlySomeHcps ? "AND s.hcp_id = ANY(@hcps)" : "")}
            GROUP BY s.campaign_id, s.hcp_id
        )
        SELECT cp.id, coalesce(t.touches, 0)::int AS touch_count, coalesce(r.responses, 0)::int AS response_count
        FROM "{schema}".campaign_participation cp
        LEFT JOIN t ON t.campaign_id = cp.campaign_id AND t.hcp_id = cp.hcp_id
        LEFT JOIN r ON r.campaign_id = cp.campaign_id AND r.hcp_id = cp.hcp_id
        {(onlySomeHcps ? "WHERE cp.hcp_id = ANY(@hcps)" : "")}
        """;

    public static string UpdateParticipationCounts(string schema, bool onlySomeHcps = false) => $"""
        UPDATE "{schema}".campaign_participation cp
        SET touch_count = x.touch_count, response_count = x.response_count
        FROM ({ParticipationCountsQuery(schema, onlySomeHcps)}) x
        WHERE x.id = cp.id AND (cp.touch_count <> x.touch_count OR cp.response_count <> x.response_count)
        """;
}
