namespace HcpPlatform.Data.Loading;

/// <summary>
/// Derived columns, computed set-based in SQL after every change (000 Task 10): each HCP's
/// channel_engagements (one entry per channel: score, lastContact, totalTouches, responseRate: the percentage of the
/// channel's touches answered by at least one outcome, so at most 100; an email opened and clicked is one answered touch)
/// and engagement_score, and each participation's touch and response counts (responses: every outcome). Both come from one pass over the
/// stimuli (with their outcomes counted): the touch totals per HCP, channel and campaign. The validator
/// recomputes the same queries and compares them with what is stored.
/// </summary>
public static class Aggregates
{
    /// <summary>
    /// (hcp_id, channel, campaign_id, touches, responses, answered, last_contact) for every HCP, or for the HCPs in the
    /// uuid[] parameter @hcps: a touch's responses are the outcomes attributed to it; answered counts the touches with at
    /// least one. Counts are int, so that the sums
    /// over them are bigint arithmetic (a sum of bigint is numeric, several times slower over a million groups).
    /// </summary>
    public static string TouchTotalsQuery(string schema, bool onlySomeHcps = false) => onlySomeHcps
        // A few HCPs: their stimuli by index, each one's outcomes by the stimulus_id index.
        ? $"""
            SELECT s.hcp_id, s.channel, s.campaign_id, count(*)::int AS touches, sum(r.n)::int AS responses, count(*) FILTER (WHERE r.n > 0)::int AS answered,
                   max(s.event_date) AS last_contact
            FROM "{schema}".stimuli_events s
            CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM "{schema}".outcome_events o WHERE o.stimulus_id = s.id) r
            WHERE s.hcp_id = ANY(@hcps)
            GROUP BY s.hcp_id, s.channel, s.campaign_id
            """
        // Everyone: one scan of the stimuli against the outcomes counted per stimulus.
        : $"""
            SELECT s.hcp_id, s.channel, s.campaign_id, count(*)::int AS touches, coalesce(sum(r.n), 0)::int AS responses, count(r.n)::int AS answered,
                   max(s.event_date) AS last_contact
            FROM "{schema}".stimuli_events s
            LEFT JOIN (SELECT stimulus_id, count(*)::int AS n FROM "{schema}".outcome_events GROUP BY stimulus_id) r ON r.stimulus_id = s.id
            GROUP BY s.hcp_id, s.channel, s.campaign_id
            """;

    private static string Totals(string schema, bool onlySomeHcps, string? touchTotals) =>
        touchTotals is null ? TouchTotalsQuery(schema, onlySomeHcps) : $"SELECT * FROM {touchTotals}{(onlySomeHcps ? " WHERE hcp_id = ANY(@hcps)" : "")}";

    /// <summary>Creates the temporary table <paramref name="name"/> holding <see cref="TouchTotalsQuery"/> (dropped at commit).</summary>
    public static string CreateTouchTotals(string schema, string name) =>
        $"CREATE TEMP TABLE {name} ON COMMIT DROP AS {TouchTotalsQuery(schema)}; ANALYZE {name}";

    /// <summary>The channels of channel_engagements, in their order in the array.</summary>
    private static readonly string[] Channels = ["email", "rep_visit", "phone", "webinar", "digital_ad", "conference"];

    /// <summary>
    /// A query returning (hcp_id, channel_engagements jsonb, engagement_score) for every HCP, or for the
    /// HCPs in the uuid[] parameter @hcps when <paramref name="onlySomeHcps"/> is set; the touch totals come from
    /// <paramref name="touchTotals"/> (a table made by <see cref="CreateTouchTotals"/>) or are computed inline.
    /// Score per channel = 0.7 × min(100, 2.5 × response rate %) + 0.3 × min(100, 5 × touches), the response rate being the
    /// share of the channel's touches answered at least once;
    /// the overall score is the touch-weighted mean of the channel scores. The six channels are columns of one
    /// row per HCP, so the array is built in channel order without sorting inside each HCP's group.
    /// With <paramref name="rowColumns"/> (the profile table's columns, in order) the query returns whole profile rows
    /// instead, the two computed columns in their place.
    /// </summary>
    public static string ChannelEngagementsQuery(string schema, bool onlySomeHcps = false, string? touchTotals = null, string profiles = "hcp_profiles",
        IReadOnlyList<string>? rowColumns = null)
    {
        var filter = onlySomeHcps ? "WHERE p.id = ANY(@hcps)" : "";
        var perChannel = string.Join(",\n", Channels.Select((c, i) => $"""
                    sum(touches) FILTER (WHERE channel = '{c}')::bigint AS t{i}, sum(answered) FILTER (WHERE channel = '{c}')::bigint AS r{i},
                    max(last_contact) FILTER (WHERE channel = '{c}') AS l{i}
            """));
        var scored = string.Join(",\n", Channels.Select((_, i) => $"""
                    CASE WHEN t{i} = 0 THEN 0 ELSE round(100.0 * r{i} / t{i}, 2) END AS rate{i},
                    CASE WHEN t{i} = 0 THEN 0 ELSE round(0.7 * least(100, 250.0 * r{i} / t{i}) + 0.3 * least(100, 5.0 * t{i}), 1) END AS score{i}
            """));
        // The array's JSON text is assembled by one concat() and parsed once per HCP: six jsonb_build_object calls cost about
        // three times as much, and a chain of || copies the growing text at every step. Numbers are written by numeric's and
        // bigint's own text output, exactly what jsonb_build_object stores; no argument is null (concat() would skip it).
        var objects = string.Join(", ', ',\n", Channels.Select((c, i) => $$"""
                        '{"channel": "{{c}}", "score": ', score{{i}}, ', "lastContact": ', coalesce('"' || to_char(l{{i}} AT TIME ZONE 'UTC', 'YYYY-MM-DD') || '"', 'null'),
                        ', "totalTouches": ', t{{i}}, ', "responseRate": ', rate{{i}}, '}'
            """));
        var weighted = string.Join(" + ", Channels.Select((_, i) => $"score{i} * t{i}"));
        var touches = string.Join(" + ", Channels.Select((_, i) => $"t{i}"));
        var joined = string.Join(",\n", Channels.Select((_, i) => $"        coalesce(h.t{i}, 0) AS t{i}, coalesce(h.r{i}, 0) AS r{i}, h.l{i}"));
        (string Name, string Sql)[] computed =
        [
            ("channel_engagements", $"""
                   concat('[',
            {objects},
                    ']')::jsonb
            """),
            ("engagement_score", $"coalesce(round(({weighted}) / nullif({touches}, 0), 1), 0)::double precision"),
        ];
        var carried = string.Concat(Carried(rowColumns, computed).Select(c => $"p.{c}, "));
        return $"""
            WITH totals AS ({Totals(schema, onlySomeHcps, touchTotals)}),
            per_hcp AS (
                SELECT hcp_id,
            {perChannel}
                FROM totals
                GROUP BY hcp_id
            ),
            joined AS (
                SELECT {carried}p.id AS hcp_id,
            {joined}
                FROM "{schema}".{profiles} p
                LEFT JOIN per_hcp h ON h.hcp_id = p.id
                {filter}
            ),
            scored AS (
                SELECT *,
            {scored}
                FROM joined
            )
            SELECT {Output("hcp_id", "", computed, rowColumns)}
            FROM scored
            """;
    }

    public static string UpdateChannelEngagements(string schema, bool onlySomeHcps = false, string? touchTotals = null) => $"""
        UPDATE "{schema}".hcp_profiles p
        SET channel_engagements = a.channel_engagements, engagement_score = a.engagement_score
        FROM ({ChannelEngagementsQuery(schema, onlySomeHcps, touchTotals)}) a
        WHERE a.hcp_id = p.id
        """;

    /// <summary>
    /// Fills the schema's hcp_profiles, created empty in this transaction, with the rows of <paramref name="loaded"/> (the
    /// same <paramref name="columns"/>), their channel_engagements and engagement_score computed. After a load, this is
    /// cheaper than an UPDATE of every row: rows inserted into a table created in the same transaction are not written to
    /// the WAL (wal_level minimal), and no dead row versions are left for VACUUM (which a concurrent snapshot, such as an
    /// index build's, can keep from removing them).
    /// </summary>
    public static string InsertProfilesWithEngagements(string schema, string loaded, IReadOnlyList<string> columns, string touchTotals) => $"""
        INSERT INTO "{schema}".hcp_profiles ({string.Join(", ", columns)})
        {ChannelEngagementsQuery(schema, touchTotals: touchTotals, profiles: loaded, rowColumns: columns)}
        """;

    /// <summary>As <see cref="InsertProfilesWithEngagements"/>, for campaign_participation and its touch and response counts.</summary>
    public static string InsertParticipationWithCounts(string schema, string loaded, IReadOnlyList<string> columns, string touchTotals) => $"""
        INSERT INTO "{schema}".campaign_participation ({string.Join(", ", columns)})
        {ParticipationCountsQuery(schema, touchTotals: touchTotals, participation: loaded, rowColumns: columns)}
        """;

    /// <summary>The columns of <paramref name="rowColumns"/> the query passes through unchanged (none without row columns).</summary>
    private static IEnumerable<string> Carried(IReadOnlyList<string>? rowColumns, IReadOnlyList<(string Name, string Sql)> computed) =>
        (rowColumns ?? []).Where(c => computed.All(x => x.Name != c));

    /// <summary>
    /// A query's select list: its key and the computed columns, or, with <paramref name="rowColumns"/>, each of those columns
    /// in order (read through <paramref name="prefix"/>), the computed ones in their place.
    /// </summary>
    private static string Output(string key, string prefix, IReadOnlyList<(string Name, string Sql)> computed, IReadOnlyList<string>? rowColumns) =>
        rowColumns is null
            ? string.Join(", ", computed.Select(c => $"{c.Sql} AS {c.Name}").Prepend(key))
            : string.Join(", ", rowColumns.Select(c => computed.FirstOrDefault(x => x.Name == c).Sql ?? prefix + c));

    /// <summary>
    /// (id, touch_count, response_count) for every participation row of <paramref name="participation"/>, or those of the
    /// HCPs in @hcps; with <paramref name="rowColumns"/> (the table's columns, in order), whole rows with the counts in place.
    /// </summary>
    public static string ParticipationCountsQuery(string schema, bool onlySomeHcps = false, string? touchTotals = null, string participation = "campaign_participation",
        IReadOnlyList<string>? rowColumns = null) => $"""
        WITH totals AS ({Totals(schema, onlySomeHcps, touchTotals)}),
        t AS (
            SELECT campaign_id, hcp_id, sum(touches) AS touches, sum(responses) AS responses
            FROM totals
            WHERE campaign_id IS NOT NULL
            GROUP BY campaign_id, hcp_id
        )
        SELECT {Output("cp.id", "cp.", [("touch_count", "coalesce(t.touches, 0)::int"), ("response_count", "coalesce(t.responses, 0)::int")], rowColumns)}
        FROM "{schema}".{participation} cp
        LEFT JOIN t ON t.campaign_id = cp.campaign_id AND t.hcp_id = cp.hcp_id
        {(onlySomeHcps ? "WHERE cp.hcp_id = ANY(@hcps)" : "")}
        """;

    public static string UpdateParticipationCounts(string schema, bool onlySomeHcps = false, string? touchTotals = null) => $"""
        UPDATE "{schema}".campaign_participation cp
        SET touch_count = x.touch_count, response_count = x.response_count
        FROM ({ParticipationCountsQuery(schema, onlySomeHcps, touchTotals)}) x
        WHERE x.id = cp.id AND (cp.touch_count <> x.touch_count OR cp.response_count <> x.response_count)
        """;
}
