using HcpPlatform.Data.Loading;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Integrity (000 Task 11): must be exactly right, every one "0 offending rows".
/// <list type="bullet">
/// <item>npi_unique, npi_check_digit (10 digits, first 1 or 2, Luhn over "80840" + the first nine digits, in SQL)</item>
/// <item>fk_* — every reference resolves, written as anti-joins so orphans are found even when a foreign key constraint is missing</item>
/// <item>outcome_after_stimulus, outcome_within_attribution_window (windows from ground_truth), outcome_hcp_matches_stimulus</item>
/// <item>ids_unique — no duplicate id in any dataset table</item>
/// <item>channel_engagements_match, participation_counts_match — stored aggregates equal their recomputation (<see cref="Aggregates"/>)</item>
/// </list>
/// </summary>
internal static class IntegrityChecks
{
    public const string Category = "integrity";

    /// <summary>Every foreign key of the dataset: check name, child table, child column, parent table, parent column, nullable.</summary>
    internal static readonly (string Name, string Child, string Column, string Parent, string ParentColumn, bool Nullable)[] ForeignKeys =
    [
        ("fk_stimuli_hcp", "stimuli_events", "hcp_id", "hcp_profiles", "id", false),
        ("fk_stimuli_campaign", "stimuli_events", "campaign_id", "campaigns", "id", true),
        ("fk_stimuli_rep", "stimuli_events", "rep_id", "territory_assignments", "rep_id", true),
        ("fk_outcomes_hcp", "outcome_events", "hcp_id", "hcp_profiles", "id", false),
        ("fk_outcomes_stimulus", "outcome_events", "stimulus_id", "stimuli_events", "id", true),
        ("fk_rx_hcp", "prescribing_history", "hcp_id", "hcp_profiles", "id", false),
        ("fk_territories_hcp", "territory_assignments", "hcp_id", "hcp_profiles", "id", false),
        ("fk_participation_campaign", "campaign_participation", "campaign_id", "campaigns", "id", false),
        ("fk_participation_hcp", "campaign_participation", "hcp_id", "hcp_profiles", "id", false),
        ("fk_contact_limits_hcp", "hcp_contact_limits", "hcp_id", "hcp_profiles", "id", false),
    ];

    /// <summary>The checks, as independent parts (each one query or a few sharing a scan) that may run on separate connections.</summary>
    public static IEnumerable<CheckPart> Parts() =>
    [
        new(run => run.OffendersAsync("npi_unique", Category, "No NPI is held by more than one HCP.",
            $"SELECT npi, count(*) AS hcps FROM {run.C.S}.hcp_profiles GROUP BY npi HAVING count(*) > 1")),
        new(NpiCheckDigitAsync),
        new(ForeignKeysAsync, Weight: 2),
        new(OutcomesAgainstStimuliAsync, Weight: 2),
        new(IdsUniqueAsync),
    ];

    /// <summary>Stored aggregates equal their recomputation (<see cref="ValidationScope.StoredAggregates"/>).</summary>
    public static IEnumerable<CheckPart> StoredAggregateParts() =>
    [
        new(run => run.OffendersAsync("channel_engagements_match", Category,
            "Every HCP's stored channel_engagements and engagement_score equal their recomputation from stimuli and outcomes (000 Task 10).",
            $"""
            SELECT p.id, p.engagement_score AS stored_score, a.engagement_score AS recomputed_score
            FROM {run.C.S}.hcp_profiles p
            JOIN ({Aggregates.ChannelEngagementsQuery(run.C.Schema)}) a ON a.hcp_id = p.id
            WHERE p.channel_engagements IS DISTINCT FROM a.channel_engagements OR p.engagement_score IS DISTINCT FROM a.engagement_score
            """), Weight: 4),
        new(run => run.OffendersAsync("participation_counts_match", Category,
            "Every campaign participation's stored touch_count and response_count equal their recomputation from the campaign's stimuli and outcomes.",
            $"""
            SELECT cp.id, cp.touch_count, x.touch_count AS recomputed_touches, cp.response_count, x.response_count AS recomputed_responses
            FROM {run.C.S}.campaign_participation cp
            JOIN ({Aggregates.ParticipationCountsQuery(run.C.Schema)}) x ON x.id = cp.id
            WHERE cp.touch_count <> x.touch_count OR cp.response_count <> x.response_count
            """), Weight: 3),
    ];

    private static Task NpiCheckDigitAsync(CheckRun run)
    {
        // CMS rule: Luhn mod 10 over "80840" + the nine-digit body ("80840" adds 24); from the right of the body
        // every other digit starting with the last is doubled, i.e. positions 1, 3, 5, 7, 9. With the check digit
        // added, the sum is a multiple of 10. Written out digit by digit: one pass, no per-row subquery.
        static string Digit(int i) => $"(ascii(substr(p.npi, {i}, 1)) - 48)";
        var sum = string.Join(" + ", Enumerable.Range(1, 10).Select(i => i % 2 == 1 && i < 10 ? $"(2 * {Digit(i)}) / 10 + (2 * {Digit(i)}) % 10" : Digit(i)));
        return run.OffendersAsync("npi_check_digit", Category,
            "Every NPI has 10 digits, starts with 1 or 2, and ends with the Luhn check digit over \"80840\" + its first nine digits.",
            $"""
            SELECT p.id, p.npi FROM {run.C.S}.hcp_profiles p
            WHERE p.npi !~ '^[12][0-9]{"{9}"}$' OR (24 + {sum}) % 10 <> 0
            """);
    }

    private static Task OutcomesAgainstStimuliAsync(CheckRun run)
    {
        var s = run.C.S;
        return run.TaggedOffendersAsync(Category,
        [
            ("outcome_after_stimulus", "Every outcome is strictly after its stimulus."),
            ("outcome_within_attribution_window", "Every outcome falls within its type's attribution window after its stimulus (ground_truth attribution_window_days); unknown outcome types have no window."),
            ("outcome_hcp_matches_stimulus", "Every outcome belongs to the HCP its stimulus touched."),
        ],
        $"""
        WITH w AS (SELECT outcome_type, value FROM {s}.ground_truth WHERE parameter = 'attribution_window_days'),
        j AS (
            SELECT o.id, o.outcome_type, o.hcp_id AS outcome_hcp, s.hcp_id AS stimulus_hcp,
                   o.event_date AS outcome_at, s.event_date AS stimulus_at, w.value AS window_days
            FROM {s}.outcome_events o
            JOIN {s}.stimuli_events s ON s.id = o.stimulus_id
            LEFT JOIN w ON w.outcome_type = o.outcome_type
        )
        -- One pass over the join (not three over a stored copy of it); examples are built for offending rows only.
        SELECT v.check_name, v.example
        FROM (
            SELECT j.*, outcome_at <= stimulus_at AS too_early,
                   window_days IS NULL OR outcome_at > stimulus_at + window_days * interval '1 day' AS too_late,
                   outcome_hcp <> stimulus_hcp AS other_hcp
            FROM j
        ) f
        CROSS JOIN LATERAL (VALUES
            ('outcome_after_stimulus', f.too_early, concat_ws(' ', f.id, f.outcome_type, 'at', f.outcome_at, 'stimulus at', f.stimulus_at)),
            ('outcome_within_attribution_window', f.too_late,
             concat_ws(' ', f.id, f.outcome_type, 'at', f.outcome_at, 'stimulus at', f.stimulus_at, 'window', coalesce(f.window_days::text, 'none'), 'days')),
            ('outcome_hcp_matches_stimulus', f.other_hcp, concat_ws(' ', f.id, 'outcome hcp', f.outcome_hcp, 'stimulus hcp', f.stimulus_hcp))
        ) AS v(check_name, bad, example)
        WHERE (f.too_early OR f.too_late OR f.other_hcp) AND v.bad
        """);
    }

    /// <summary>
    /// No duplicate id in any dataset table. A table whose id carries a valid, non-partial unique index (its primary
    /// key) cannot hold duplicates, so only the others are scanned; dropping a key makes the check scan that table.
    /// </summary>
    private static async Task IdsUniqueAsync(CheckRun run)
    {
        const string name = "ids_unique";
        const string description = "No id occurs twice within any dataset table (tables whose id has a valid unique index are guaranteed by it).";
        var enforced = await run.TryQueryAsync([(name, description)], Category, """
            SELECT DISTINCT t.relname
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
            WHERE n.nspname = @schema AND i.indisunique AND i.indisvalid AND i.indisready AND i.indpred IS NULL
              AND i.indnatts = 1 AND i.indexprs IS NULL AND a.attname = 'id'
            """, r => r.GetString(0), p => p.AddWithValue("schema", run.C.Schema));
        if (enforced is null)
        {
            return;
        }
        var scanned = DatasetTables.All.Where(t => !enforced.Contains(t)).ToList();
        if (scanned.Count == 0)
        {
            run.Add(new CheckResult(name, Category, true, 0, "0 offending rows", description + " All are.", []));
            return;
        }
        await run.OffendersAsync(name, Category, description,
            string.Join("\nUNION ALL\n", scanned.Select(t => $"SELECT '{t}' AS tbl, id::text AS id, count(*) AS copies FROM {run.C.S}.{t} GROUP BY id HAVING count(*) > 1")));
    }

    /// <summary>
    /// Every reference resolves. A reference guarded by a validated foreign key constraint whose triggers are enabled
    /// cannot dangle, so only the others are anti-joined (always fk_stimuli_rep: rep ids are not unique in
    /// territory_assignments, so no constraint can guard them); dropping or disabling a constraint makes its check scan.
    /// </summary>
    private static async Task ForeignKeysAsync(CheckRun run)
    {
        var s = run.C.S;
        var checks = ForeignKeys.Select(fk => (fk.Name, Description: $"Every {fk.Child}.{fk.Column}{(fk.Nullable ? " that is set" : "")} exists in {fk.Parent}.{fk.ParentColumn}.")).ToList();
        var enforced = await run.TryQueryAsync(checks, Category, """
            SELECT c.relname, a.attname, pc.relname, pa.attname
            FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class pc ON pc.oid = k.confrelid AND pc.relnamespace = n.oid
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
            WHERE n.nspname = @schema AND k.contype = 'f' AND k.convalidated AND cardinality(k.conkey) = 1
              AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgconstraint = k.oid AND t.tgenabled = 'D')
            """, r => (Child: r.GetString(0), Column: r.GetString(1), Parent: r.GetString(2), ParentColumn: r.GetString(3)),
            p => p.AddWithValue("schema", run.C.Schema));
        if (enforced is null)
        {
            return;
        }
        var scanned = ForeignKeys.Where(fk => !enforced.Contains((fk.Child, fk.Column, fk.Parent, fk.ParentColumn))).ToList();
        if (scanned.Count > 0)
        {
            var parts = scanned.Select(fk =>
            {
                var nullable = fk.Nullable ? $"c.{fk.Column} IS NOT NULL AND " : "";
                return $"""
                    SELECT '{fk.Name}' AS check_name, concat_ws(' ', c.id, '{fk.Column}', c.{fk.Column}) AS example
                    FROM {s}.{fk.Child} c
                    WHERE {nullable}NOT EXISTS (SELECT 1 FROM {s}.{fk.Parent} p WHERE p.{fk.ParentColumn} = c.{fk.Column})
                    """;
            });
            await run.TaggedOffendersAsync(Category,
                checks.Where(c => scanned.Any(fk => fk.Name == c.Name)).Select(c => (c.Name, c.Description + " (Anti-join: no constraint guards it.)")).ToList(),
                string.Join("\nUNION ALL\n", parts));
        }
        foreach (var (name, description) in checks.Where(c => scanned.All(fk => fk.Name != c.Name)))
        {
            run.Add(new CheckResult(name, Category, true, 0, "0 offending rows", description + " Guaranteed by its validated foreign key constraint.", []));
        }
    }
}
