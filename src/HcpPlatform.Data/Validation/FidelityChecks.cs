using System.Globalization;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Statistical fidelity: realised data against the configured distributions and the stored ground truth. Every
/// threshold follows from the sample size at the false-alarm rate <see cref="Stats.FalseAlarmRate"/> (1e-4 per check; a
/// check over several cells splits it between them), so a correct dataset passes at any seed and scale while a generator
/// that breaks a behaviour fails the check stating it. The statistics are the engine's (<see cref="Stats"/>); this class
/// gathers the data in SQL and says what is expected. A cell too small to test is reported, never dropped; an empty table
/// fails the checks that read it.
/// <list type="bullet">
/// <item><b>tv_specialty, tv_tier, tv_segment_given_tier, tv_content_mix</b> — Pearson's chi-square goodness of fit of the
/// category counts (fixture HCPs left out) to SpecialtyWeights, the tier shares SpecialtyWeights × TierBySpecialty imply,
/// SegmentByTier within each tier (the rate split over the tiers) and ContentCategories: pass when p ≥ 1e-4. These are
/// exact multinomial draws. Measured: SDMetrics' TVComplement (1 − ½ Σ |expected − observed share|).</item>
/// <item><b>channel_presence</b> — every channel present in its share of touches: the configured mix
/// (SimulationModel.ChannelShare, weighted by the window's quarter-end months; days of volume-changing scenario events left
/// out), each channel a cell. HCPs are the independent units: the share's variance is the ratio estimator's sandwich
/// variance Σ(nₕc − s·nₕ)² / N². The configured mix is a target the engine lands near (rep visits capped at two city days a
/// month, conference touches from congress attendance), so each cell also allows 5% of its expected share: twice the
/// engine's largest departure, measured over 200 seeds. Measured: TVComplement of the mix.</item>
/// <item><b>ks_latency_*</b> — each response latency mapped through its own true CDF (exponential with mean
/// latency_mean_days × the HCP's response_latency_factor in the HCP's activity time — the integral of its response_rhythm's
/// rate per local hour since the touch, in its time_zone — truncated to the activity time the attribution window holds; a
/// click after its open with the remaining mean): uniform under the model. Pass when the KS distance D ≤ √(ln(2/α) / 2n) (the DKW bound, valid
/// for every n) + 0.005 (the engine's one-minute minimum latency). Outcomes of stimuli less than one window before the end
/// of the data are left out. Measured: KSComplement = 1 − D.</item>
/// <item><b>latency_by_hcp_factor</b> — the same transformed latencies, by outcome type × tercile of the HCPs'
/// latency factors: each cell's mean is ½ under the model, with variance 1/(12n).</item>
/// <item><b>touch_volume_model</b> — within each channel, the share of its touches that each tercile of the HCPs'
/// affinity for the channel (and for rep visits and calls each tier) receives, against its share of the expected
/// volume: (affinity_modifier_offset + affinity) × the channel's tier volume (0 for rep visits to a no-see HCP, rep_visit
/// max_contacts_per_month 0; for email only the single, non-campaign sends, since every enrolled HCP gets every campaign
/// send), for conference touches the congress
/// attendance probability × the share of the HCP's congress that falls in the window. Given the population, HCP h expects λ·wₕ touches:
/// the share's variance is Σ(1[h in cell] − s)²(nₕ − λwₕ)² / N²; 3% margin for the caps (twice the largest departure
/// measured). Measured: the largest share of its allowance a cell uses.</item>
/// <item><b>response_rate_recovery</b> — each delivered stimulus's response probability recomputed from the ground truth's
/// logistic model (no cap): log-odds logit(base rate) + ln(tier odds ratio) + affinity log-odds × (the HCP's channel
/// affinity − 0.5) − fatigue log-odds × touches earlier that calendar month + ln(content match odds ratio) + ln(scale
/// odds), a rep visit's sample request + ln(call type odds ratio) and meeting + ln(reaction odds ratio) (email: P(open),
/// and P(click) = P(open) × P(click | open)), × (1 − magnitude) in a scenario email_fatigue period; 0 when not delivered. Per channel × outcome × tier the observed
/// count is compared with Σp, variance Σp(1 − p). Only whole calendar months of the window (the fatigue count needs the
/// month's earlier touches) and stimuli at least one attribution window before the end.</item>
/// <item><b>response_calibration</b> — the same probabilities by the factors a cell of the recovery check averages over:
/// tercile of the HCP's affinity for the channel, touches earlier that month (0, 1–2, 3–5, 6+) and content match. A cell
/// holds an email's open and its click, so their covariance 2·P(click)·(1 − P(open)) is added to the variance.</item>
/// <item><b>visit_metadata_signal</b> — the same probabilities for a rep visit's sample request by its call type and its
/// meeting by the reaction to its key message (the metadata's signal).</item>
/// </list>
/// The prescribing checks are in <see cref="PrescribingChecks"/>.
/// </summary>
internal static class FidelityChecks
{
    public const string Category = "fidelity";

    /// <summary>Relative margin of the configured channel mix, which the engine's mechanisms only land near (see the class notes).</summary>
    public const double ChannelShareMargin = 0.05;

    /// <summary>Relative margin of the expected volume by affinity and tier (caps and minimum gaps; see the class notes).</summary>
    public const double TouchVolumeMargin = 0.03;

    /// <summary>The engine's one-minute minimum latency moves at most the first 1/720 day of each latency: ≤ 0.3% of email opens.</summary>
    public const double LatencyKsFloor = 0.005;

    /// <summary>Below this many HCPs, variances estimated from the HCPs themselves are not trusted: those checks are informational.</summary>
    public const int MinimumUnits = 20;

    private static readonly string[] LatencyTypes = ["email_open", "email_click", "meeting_scheduled", "sample_request"];

    /// <summary>
    /// The checks, as independent parts that may run on separate connections. The ground truth is read once, by the
    /// first part that needs it (a failure to read it is reported there).
    /// </summary>
    public static IEnumerable<CheckPart> Parts()
    {
        var gate = new object();
        Task<ValidationTruth?>? truth = null;
        Task<ValidationTruth?> TruthAsync(CheckRun run)
        {
            lock (gate)
            {
                return truth ??= ValidationTruth.LoadAsync(run, Category);
            }
        }
        return
        [
            new(CategoricalAsync),
            new(ChannelPresenceAsync),
            new(async run => await ResponsesAsync(run, await TruthAsync(run)), Weight: 5),
            new(async run => await LatencyAsync(run, await TruthAsync(run)), Weight: 2),
            new(async run => await TouchVolumeAsync(run, await TruthAsync(run)), Weight: 2),
            new(async run => await PrescribingChecks.RunAsync(run, await TruthAsync(run)), Weight: 2),
        ];
    }

    // ---------------------------------------------------------------- categorical mixes (chi-square)

    private static async Task CategoricalAsync(CheckRun run)
    {
        var s = run.C.S;
        var model = run.C.Model;
        var cfg = run.C.Config;
        var names = new[] { "tv_specialty", "tv_tier", "tv_segment_given_tier", "tv_content_mix" };
        var rows = await run.TryQueryAsync(names.Select(n => (n, "Chi-square goodness of fit of a categorical column.")).ToList(), Category, $"""
                SELECT CASE WHEN GROUPING(specialty) = 0 THEN 'specialty' WHEN GROUPING(segment) = 0 THEN 'segment' ELSE 'tier' END,
                       CASE WHEN GROUPING(segment) = 0 THEN tier END,
                       CASE WHEN GROUPING(specialty) = 0 THEN specialty WHEN GROUPING(segment) = 0 THEN segment ELSE tier END,
                       count(*)
                FROM {s}.hcp_profiles WHERE NOT is_fixture GROUP BY GROUPING SETS ((specialty), (tier), (tier, segment))
                UNION ALL
                SELECT 'content', NULL, coalesce(content_category, '(none)'), count(*)
                FROM {s}.stimuli_events GROUP BY content_category
                """, r => (Dimension: r.GetString(0), Group: r.IsDBNull(1) ? null : r.GetString(1), Value: r.IsDBNull(2) ? "(null)" : r.GetString(2), Count: r.GetInt64(3)));
        if (rows is null)
        {
            return;
        }
        Dictionary<string, long> Observed(string dimension, string? group = null) =>
            rows.Where(r => r.Dimension == dimension && r.Group == group).ToDictionary(r => r.Value, r => r.Count, StringComparer.Ordinal);
        static Dictionary<string, double> Shares(WeightTable t) => t.Names.ToDictionary(n => n, t.ShareOf, StringComparer.Ordinal);

        run.Add(Categorical("tv_specialty", "Specialty mix of HCP profiles against SpecialtyWeights (chi-square; measured: TVComplement).",
            [("all", Shares(model.Specialties), Observed("specialty"))]));
        run.Add(Categorical("tv_tier", "Tier mix of HCP profiles against the shares SpecialtyWeights × TierBySpecialty imply (chi-square; measured: TVComplement).",
            [("all", SimulationConfig.Tiers.Select((t, i) => (t, model.TierShare[i])).ToDictionary(x => x.t, x => x.Item2, StringComparer.Ordinal), Observed("tier"))]));
        run.Add(Categorical("tv_segment_given_tier", "Segment mix within each tier against SegmentByTier (chi-square per tier; measured: the lowest tier's TVComplement).",
            SimulationConfig.Tiers.Select(t => (t, Shares(model.SegmentByTier[SimulationModel.TierIndex(t)]), Observed("segment", t))).ToList()));
        run.Add(Categorical("tv_content_mix", "Content category mix of stimuli against ContentCategories (chi-square; measured: TVComplement).",
            [("all", cfg.ContentCategories.ToDictionary(p => p.Key, p => model.Content.ShareOf(p.Key), StringComparer.Ordinal), Observed("content"))]));
    }

    /// <summary>
    /// One chi-square goodness-of-fit test per group (the false-alarm rate split over the groups that have rows); fails
    /// when every group is empty. Measured: the lowest TVComplement.
    /// </summary>
    internal static CheckResult Categorical(string name, string description,
        IReadOnlyList<(string Group, Dictionary<string, double> Expected, Dictionary<string, long> Observed)> groups)
    {
        var fits = groups.Where(g => g.Observed.Values.Sum() > 0).Select(g => (g.Group, Fit: Stats.ChiSquareGoodnessOfFit(g.Expected, g.Observed))).ToList();
        if (fits.Count == 0)
        {
            return new CheckResult(name, Category, false, null, F($"chi-square p ≥ {Stats.FalseAlarmRate} on rows that exist"), description, ["no rows to test"]);
        }
        var alpha = Stats.FalseAlarmRate / fits.Count;
        var worst = fits.MinBy(x => x.Fit.P);
        var examples = fits.OrderBy(x => x.Fit.P).SelectMany(x => x.Fit.Cells
                .OrderByDescending(c => Math.Abs(c.Observed - c.Expected) / Math.Sqrt(Math.Max(1, c.Expected)))
                .Take(2).Select(c => F($"{(fits.Count > 1 ? x.Group + " " : "")}{c.Key}: {c.Observed:0} observed, {c.Expected:0.#} expected")))
            .Take(DatasetValidator.ExampleCount)
            .Concat(fits.Where(x => x.Fit.Pooled.Count > 0).Select(x => $"too small to test alone, pooled{(fits.Count > 1 ? " in " + x.Group : "")}: {string.Join(", ", x.Fit.Pooled)}"))
            .Concat(fits.Where(x => x.Fit.Impossible.Count > 0).Select(x => $"never expected: {string.Join(", ", x.Fit.Impossible)}"))
            .ToList();
        return new CheckResult(name, Category, fits.All(x => x.Fit.Passes(alpha)), Math.Round(fits.Min(x => x.Fit.TvComplement), 4),
            F($"chi-square p ≥ {alpha:0.###e0} (lowest p = {worst.Fit.P:0.###e0}{(fits.Count > 1 ? ", " + worst.Group : "")}, n = {worst.Fit.N:N0})"),
            description, examples);
    }

    // ---------------------------------------------------------------- channel presence

    private static async Task ChannelPresenceAsync(CheckRun run)
    {
        var s = run.C.S;
        const string name = "channel_presence";
        const string description = "Every channel present in its configured share of touches (CHANNEL_FREQUENCY midpoints, weighted by the window's quarter-end months), HCPs as independent units; measured: TVComplement of the channel mix.";
        var rows = await run.TryQueryAsync([(name, description)], Category, $"""
            WITH per AS (
                SELECT s.hcp_id, s.channel, count(*)::float8 AS n FROM {s}.stimuli_events s WHERE {run.C.OutsideVolumeEvents("s")} GROUP BY 1, 2
            ),
            tot AS (SELECT hcp_id, sum(n) AS t FROM per GROUP BY hcp_id)
            SELECT c.channel, count(*), coalesce(sum(per.n), 0), coalesce(sum(tot.t), 0), coalesce(sum(per.n * per.n), 0),
                   coalesce(sum(coalesce(per.n, 0) * tot.t), 0), coalesce(sum(tot.t * tot.t), 0)
            FROM tot CROSS JOIN unnest(@channels::text[]) AS c(channel)
            LEFT JOIN per ON per.hcp_id = tot.hcp_id AND per.channel = c.channel
            GROUP BY c.channel
            """, r => (Channel: r.GetString(0), Sums: new ShareSums(r.GetInt64(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6))),
            p =>
            {
                p.AddWithValue("channels", Channel.Names);
                run.C.AddVolumeEventPeriods(p);
            });
        if (rows is null)
        {
            return;
        }
        var expected = run.C.WindowChannelShare;
        var hcps = Math.Max(run.C.Info.HcpCount, 1);
        var expectedTouches = run.C.WindowStimuliPerHcpYear * hcps * run.C.VolumeDays / 365.25;
        var total = rows.Sum(r => r.Sums.Part);
        var units = rows.Count == 0 ? 0 : rows.Max(r => r.Sums.Units);
        var cells = Channel.Names.Select((channel, c) =>
        {
            var sums = rows.FirstOrDefault(r => r.Channel == channel).Sums;
            return new Cell(channel, sums.Share, expected[c], sums.VarianceAt(expected[c]), ChannelShareMargin, expected[c] * expectedTouches);
        }).ToList();
        var tv = total <= 0 ? 0 : 1 - 0.5 * Channel.Names.Select((channel, c) => Math.Abs(rows.FirstOrDefault(r => r.Channel == channel).Sums.Part / total - expected[c])).Sum();
        if (units > 0 && units < MinimumUnits)
        {
            run.Add(new CheckResult(name, Category, true, Math.Round(tv, 4), F($"informational below {MinimumUnits} HCPs with touches ({units})"), description,
                cells.Select(c => F($"{c.Label}: {c.Observed:0.0000} observed, {c.Expected:0.0000} expected")).ToList()));
            return;
        }
        run.Add(CellResults.From(name, Category, description, cells, Math.Round(tv, 4), "share"));
    }

    // ---------------------------------------------------------------- latencies

    /// <summary>exp(x) clamped to PostgreSQL's float8 range (its exp() raises on underflow).</summary>
    internal static string Exp(string x) => $"exp(greatest(-700.0, least(700.0, {x})))";

    private static async Task LatencyAsync(CheckRun run, ValidationTruth? truth)
    {
        var s = run.C.S;
        const string byFactor = "latency_by_hcp_factor";
        const string byFactorDescription = "Transformed latencies (their own truncated-exponential CDF) by outcome type × tercile of the HCPs' latency factors: each cell's mean is ½ under the model (the latency factor's test); measured: the largest share of its allowance a cell uses.";
        var names = LatencyTypes.Select(t => ($"ks_latency_{t}", $"KSComplement of {t} latency against its configured truncated exponential.")).Append((byFactor, byFactorDescription)).ToList();
        if (truth is null || !LatencyTypes.All(t => truth.LatencyMean.ContainsKey(t) && truth.Window.ContainsKey(t)))
        {
            foreach (var (name, description) in names)
            {
                run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks latency_mean_days or attribution_window_days for this outcome type"]));
            }
            return;
        }
        // Latencies run in the HCP's activity time (response_rhythm): read each response with its touch's instant and its HCP's
        // clock, transform it through its own truncated exponential CDF in activity time here.
        var rows = await run.TryQueryAsync(names, Category, $"""
            SELECT o.outcome_type, s.event_date, o.event_date, greatest(p.response_latency_factor, 1e-6), p.time_zone,
                   (SELECT op.event_date FROM {s}.outcome_events op WHERE op.stimulus_id = o.stimulus_id AND op.outcome_type = 'email_open' ORDER BY op.event_date LIMIT 1)
            FROM {s}.outcome_events o
            JOIN {s}.stimuli_events s ON s.id = o.stimulus_id
            JOIN {s}.hcp_profiles p ON p.id = s.hcp_id
            WHERE o.outcome_type IN ('email_open', 'email_click', 'meeting_scheduled', 'sample_request')
              AND s.event_date + (CASE o.outcome_type {string.Join(" ", LatencyTypes.Select(t => F($"WHEN '{t}' THEN {truth.Window[t]}")))} END) * interval '1 day' <= @end
            """, r => (Type: r.GetString(0), Sent: r.GetDateTime(1), At: r.GetDateTime(2), Factor: r.GetDouble(3), Zone: r.GetString(4),
                OpenedAt: r.IsDBNull(5) ? (DateTime?)null : r.GetDateTime(5)),
            p => p.AddWithValue("end", EndOfData(run)));
        if (rows is null)
        {
            return;
        }
        var rhythms = LatencyTypes.ToDictionary(t => t, t => truth.Rhythms.TryGetValue(t, out var r) ? ResponseRhythm.FromRates(r.Name, r.Workday, r.OffDay) : null, StringComparer.Ordinal);
        var cuts = await run.TryQueryAsync([(byFactor, byFactorDescription)], Category, $"""
            SELECT percentile_disc(1.0 / 3) WITHIN GROUP (ORDER BY response_latency_factor), percentile_disc(2.0 / 3) WITHIN GROUP (ORDER BY response_latency_factor)
            FROM {s}.hcp_profiles
            """, r => (Lo: r.IsDBNull(0) ? 0 : r.GetDouble(0), Hi: r.IsDBNull(1) ? 0 : r.GetDouble(1)));
        if (cuts is null)
        {
            return;
        }
        var (lo, hi) = cuts.Count > 0 ? cuts[0] : (0, 0);
        var pits = new List<(string Type, int Tercile, double U)>(rows.Count);
        var clickExtra = truth.LatencyMean["email_click"] - truth.LatencyMean["email_open"];
        foreach (var row in rows)
        {
            var zone = UsTimeZone.Find(row.Zone);
            var rhythm = rhythms[row.Type];
            var sent = DateTime.SpecifyKind(row.Sent, DateTimeKind.Utc);
            // Activity time since the touch, in days (real time where the ground truth or the HCP's clock is missing).
            double Activity(DateTime to) => rhythm is null || zone is null ? (to - sent).TotalDays : rhythm.Activity(zone, sent, to);
            var x = Activity(DateTime.SpecifyKind(row.At, DateTimeKind.Utc));
            var window = Activity(sent.AddDays(truth.Window[row.Type]));
            double u;
            if (row.Type == "email_click")
            {
                if (row.OpenedAt is not { } opened)
                {
                    continue;
                }
                var o = Activity(DateTime.SpecifyKind(opened, DateTimeKind.Utc));
                var m = Math.Max(0.01, clickExtra * row.Factor);
                u = (1 - Math.Exp(-(x - o) / m)) / (1 - Math.Exp(-(window - o) / m));
            }
            else
            {
                var m = truth.LatencyMean[row.Type] * row.Factor;
                u = (1 - Math.Exp(-x / m)) / (1 - Math.Exp(-window / m));
            }
            pits.Add((row.Type, row.Factor < lo ? 1 : row.Factor < hi ? 2 : 3, u));
        }
        foreach (var type in LatencyTypes)
        {
            var sample = pits.Where(x => x.Type == type).Select(x => x.U).ToArray();
            var n = sample.Length;
            var d = n == 0 ? 0 : Stats.KsDistanceFromUniform(sample);
            var critical = Stats.KsCritical(n) + LatencyKsFloor;
            var passed = n == 0 || d <= critical;
            run.Add(new CheckResult($"ks_latency_{type}", Category, passed, n == 0 ? null : Math.Round(1 - d, 4),
                n == 0 ? "informational: no outcomes of this type to test" : F($"≥ {1 - critical:0.####} (n = {n:N0}; DKW bound at {Stats.FalseAlarmRate} + {LatencyKsFloor})"),
                $"KSComplement of {type} latency against its configured distribution (truncated exponential scaled by the HCP's latency factor, in the HCP's activity time of its response_rhythm{(type == "email_click" ? ", after the open" : "")}), by probability integral transform.",
                [F($"D = {d:0.0000} over {n} outcomes")]));
        }
        run.Add(CellResults.From(byFactor, Category, byFactorDescription,
            pits.GroupBy(x => (x.Type, x.Tercile)).OrderBy(g => g.Key.Type, StringComparer.Ordinal).ThenBy(g => g.Key.Tercile)
                .Select(g => new Cell($"{g.Key.Type} factor tercile {g.Key.Tercile}", g.Average(x => x.U), 0.5, 1.0 / 12 / g.Count(), 0, g.Count())).ToList()));
    }

    /// <summary>The first instant after the data: midnight UTC after simulated_through.</summary>
    internal static DateTime EndOfData(CheckRun run) =>
        run.C.Info.SimulatedThrough.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>SQL: the affinity columns of hcp_profiles alias p, as a_email, a_rep_visit, …</summary>
    private static string AffinityColumns(string alias) =>
        string.Join(", ", Channel.Names.Select(c => $"({alias}.channel_affinities->>'{c}')::float8 AS a_{c}"));

    /// <summary>SQL: per channel, the tercile cut points of the affinities in CTE <paramref name="from"/>, as lo_email, hi_email, …</summary>
    private static string AffinityCuts(string from) =>
        "SELECT " + string.Join(", ", Channel.Names.Select(c =>
            $"percentile_disc(1.0 / 3) WITHIN GROUP (ORDER BY a_{c}) AS lo_{c}, percentile_disc(2.0 / 3) WITHIN GROUP (ORDER BY a_{c}) AS hi_{c}")) + $" FROM {from}";

    /// <summary>SQL: the affinity (1–3 tercile when <paramref name="tercile"/>) of HCP alias h for the channel in <paramref name="channel"/>.</summary>
    private static string ByChannel(string channel, bool tercile) =>
        $"CASE {channel} " + string.Join(" ", Channel.Names.Select(c => tercile
            ? $"WHEN '{c}' THEN CASE WHEN h.a_{c} < cut.lo_{c} THEN 1 WHEN h.a_{c} < cut.hi_{c} THEN 2 ELSE 3 END"
            : $"WHEN '{c}' THEN h.a_{c}")) + " END";

    // ---------------------------------------------------------------- touch volumes by affinity and tier

    private static async Task TouchVolumeAsync(CheckRun run, ValidationTruth? truth)
    {
        var s = run.C.S;
        const string name = "touch_volume_model";
        const string description = "Within each channel, each affinity tercile's (and for rep visits and calls each tier's) share of its touches against its share of (affinity_modifier_offset + affinity) × tier volume (the affinity and tier effects on touch volumes); measured: the largest share of its allowance a cell uses.";
        var offset = truth?.Scalars.GetValueOrDefault("affinity_modifier_offset") ?? 0;
        if (truth is null || !truth.Scalars.ContainsKey("affinity_modifier_offset"))
        {
            run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks affinity_modifier_offset"]));
            return;
        }
        var model = run.C.Model;
        var tierVolume = Channel.Names.SelectMany((channel, c) => SimulationConfig.Tiers.Select((tier, t) => (channel, tier, model.TierVolume[c, t]))).ToList();
        // Congresses (or the parts of them) in the window, per specialty: where conference touches can fall at all.
        var congresses = Specialties.TaxonomyCodes.Keys
            .Select(sp => (Specialty: sp, Count: Specialties.CongressesIn(sp, run.C.Info.WindowStart, run.C.Info.SimulatedThrough, run.C.IsVolumeEventDay))).ToList();
        var rows = await run.TryQueryAsync([(name, description)], Category, $"""
            WITH h AS (
                SELECT p.id, p.tier, p.specialty, {AffinityColumns("p")},
                       EXISTS (SELECT 1 FROM {s}.hcp_contact_limits l WHERE l.hcp_id = p.id AND l.channel = 'rep_visit' AND l.max_contacts_per_month = 0) AS no_see
                FROM {s}.hcp_profiles p
            ),
            cut AS ({AffinityCuts("h")}),
            counts AS (
                SELECT s.hcp_id, s.channel, count(*)::float8 AS n FROM {s}.stimuli_events s
                WHERE {run.C.OutsideVolumeEvents("s")} AND NOT (s.channel = 'email' AND s.campaign_id IS NOT NULL) GROUP BY 1, 2
            ),
            hc AS (
                SELECT ch.channel, h.tier, coalesce(counts.n, 0) AS n, {ByChannel("ch.channel", true)} AS tercile,
                       CASE WHEN ch.channel = 'conference'
                            THEN coalesce(cg.congresses, 0) * least(1.0, @attendance * (@offset + {ByChannel("ch.channel", false)}) / @conferenceNorm)
                            WHEN ch.channel = 'rep_visit' AND h.no_see THEN 0
                            ELSE (@offset + {ByChannel("ch.channel", false)}) * tv.volume END AS w
                FROM h CROSS JOIN cut CROSS JOIN unnest(@channels::text[]) AS ch(channel)
                JOIN unnest(@tvChannel::text[], @tvTier::text[], @tvVolume::float8[]) AS tv(channel, tier, volume) ON tv.channel = ch.channel AND tv.tier = h.tier
                LEFT JOIN unnest(@cgSpecialty::text[], @cgCount::float8[]) AS cg(specialty, congresses) ON cg.specialty = h.specialty
                LEFT JOIN counts ON counts.hcp_id = h.id AND counts.channel = ch.channel
            ),
            lam AS (SELECT hc.*, sum(n) OVER (PARTITION BY channel) AS touches, sum(w) OVER (PARTITION BY channel) AS weight FROM hc)
            SELECT channel, GROUPING(tercile) = 0 AS by_affinity, GROUPING(tier) = 0 AS by_tier, coalesce(tercile, 0), coalesce(tier, ''),
                   count(*), max(touches), max(weight), sum(n), sum(w),
                   sum(power(n - CASE WHEN weight > 0 THEN touches / weight * w ELSE 0 END, 2))
            FROM lam GROUP BY GROUPING SETS ((channel, tercile), (channel, tier), (channel))
            """, r => (Channel: r.GetString(0), ByAffinity: r.GetBoolean(1), ByTier: r.GetBoolean(2), Tercile: r.GetInt32(3), Tier: r.GetString(4),
                Hcps: r.GetInt64(5), Touches: r.GetDouble(6), Weight: r.GetDouble(7), Part: r.GetDouble(8), PartWeight: r.GetDouble(9), Residual: r.GetDouble(10)),
            p =>
            {
                p.AddWithValue("channels", Channel.Names);
                p.AddWithValue("tvChannel", tierVolume.Select(x => x.channel).ToArray());
                p.AddWithValue("tvTier", tierVolume.Select(x => x.tier).ToArray());
                p.AddWithValue("tvVolume", tierVolume.Select(x => x.Item3).ToArray());
                p.AddWithValue("cgSpecialty", congresses.Select(x => x.Specialty).ToArray());
                p.AddWithValue("cgCount", congresses.Select(x => x.Count).ToArray());
                p.AddWithValue("attendance", model.CongressAttendance);
                p.AddWithValue("conferenceNorm", model.AffinityNorm[Channel.Conference]);
                p.AddWithValue("offset", offset);
                run.C.AddVolumeEventPeriods(p);
            });
        if (rows is null)
        {
            return;
        }
        var hcps = rows.Where(r => !r.ByAffinity && !r.ByTier).Select(r => r.Hcps).DefaultIfEmpty(0).Max();
        var cells = new List<Cell>();
        foreach (var channel in Channel.Names)
        {
            var all = rows.FirstOrDefault(r => r.Channel == channel && !r.ByAffinity && !r.ByTier);
            if (all.Channel is null || all.Weight <= 0)
            {
                continue;
            }
            var field = SimulationModel.IsFieldChannel(Channel.IndexOf(channel));
            foreach (var r in rows.Where(r => r.Channel == channel && (r.ByAffinity || (r.ByTier && field))).OrderBy(r => r.ByTier).ThenBy(r => r.Tercile).ThenBy(r => r.Tier, StringComparer.Ordinal))
            {
                var share = r.PartWeight / all.Weight;
                var n = all.Touches;
                var variance = n > 0 ? ((1 - share) * (1 - share) * r.Residual + share * share * (all.Residual - r.Residual)) / (n * n) : 0;
                // A share is judged on the touches in its cell and on those outside it: a cell expecting nearly all of a few
                // touches (Tier 1's rep visits in a month of 50 HCPs: 6.1 of 9) is as untestable as one expecting almost none.
                cells.Add(new Cell(r.ByAffinity ? $"{channel} affinity tercile {r.Tercile}" : $"{channel} {r.Tier}", n > 0 ? r.Part / n : 0, share, variance,
                    TouchVolumeMargin, Math.Min(share, 1 - share) * n));
            }
        }
        if (hcps < MinimumUnits)
        {
            run.Add(new CheckResult(name, Category, true, null, F($"informational below {MinimumUnits} HCPs ({hcps})"), description, []));
            return;
        }
        run.Add(CellResults.From(name, Category, description, cells, unit: "share"));
    }

    // ---------------------------------------------------------------- responses: recovery of the truth and calibration

    private static async Task ResponsesAsync(CheckRun run, ValidationTruth? truth)
    {
        var s = run.C.S;
        const string recovery = "response_rate_recovery";
        const string recoveryDescription = "Observed outcomes per channel × outcome type × tier against the sum of each delivered stimulus's true response probability (recomputed from ground_truth; the tier modifier's test); measured: the largest share of its allowance a cell uses.";
        const string calibration = "response_calibration";
        const string calibrationDescription = "The same probabilities by tercile of the HCP's channel affinity, by touches earlier in the month and by content match (the affinity, fatigue and content-match tests); measured: the largest share of its allowance a cell uses.";
        const string signal = "visit_metadata_signal";
        const string signalDescription = "Sample requests after a rep visit by its call type and meetings by the HCP's reaction to its key message, against the true probabilities (the call-type and reaction odds ratios of ground_truth); measured: the largest share of its allowance a cell uses.";
        var missing = truth is null ? ["ground_truth"] : truth.MissingForResponses();
        if (truth is null || missing.Count > 0)
        {
            foreach (var (name, description) in new[] { (recovery, recoveryDescription), (calibration, calibrationDescription), (signal, signalDescription) })
            {
                run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks " + string.Join(", ", missing)]));
            }
            return;
        }

        // Cells: one per (stimulus type, outcome); an email's click is drawn only after an open (prior = P(open)).
        var open = truth.Rates.FirstOrDefault(r => r.Stimulus == "email_send" && r.Outcome == "email_open");
        var cells = truth.Rates.Where(r => r.Stimulus != "email_open" && !(r.Stimulus == "email_send" && r.Outcome == "email_click"))
            .Select(r => (r.Stimulus, r.Outcome, r.BaseRate, Prior: (double?)null))
            .Concat(truth.Rates.Where(r => r.Stimulus == "email_open" && open.Stimulus is not null)
                .Select(r => (Stimulus: "email_send", r.Outcome, r.BaseRate, Prior: (double?)open.BaseRate)))
            .Where(c => truth.Window.ContainsKey(c.Outcome))
            .ToList();

        var ws = run.C.Info.WindowStart;
        var firstWholeMonth = ws.Day == 1 ? ws : new DateOnly(ws.Year, ws.Month, 1).AddMonths(1);
        // Scenario email_fatigue events scale the probability of touches sent in their period (only when there are any).
        var fatigue = truth.Fatigue.SelectMany(f => f.Channels.Select(c => (f.Start, End: f.End ?? DateOnly.MaxValue, f.Magnitude, Channel: c))).ToList();
        var fatigueFactor = fatigue.Count == 0 ? "" : """
             * (SELECT CASE WHEN bool_or(f.magnitude >= 1) THEN 0 ELSE coalesce(exp(sum(ln(1 - f.magnitude))), 1) END
                FROM unnest(@fatigueStart::date[], @fatigueEnd::date[], @fatigueMagnitude::float8[], @fatigueChannel::text[]) AS f(first_day, last_day, magnitude, channel)
                WHERE f.channel = o.channel AND (o.event_date AT TIME ZONE 'UTC')::date BETWEEN f.first_day AND f.last_day)
            """;
        var names = new[] { (recovery, recoveryDescription), (calibration, calibrationDescription), (signal, signalDescription) };
        var result = await run.TryQueryAsync(names, Category, $"""
            WITH cells AS (
                SELECT * FROM unnest(@cellStimulus::text[], @cellOutcome::text[], @cellBase::float8[], @cellPrior::float8[], @cellWindow::float8[])
                    AS c(stimulus_type, outcome_type, base_rate, prior_rate, window_days)
            ),
            h AS (
                SELECT p.id, p.tier, p.preferred_content, ln(t.odds) AS tier_log_odds, {AffinityColumns("p")}
                FROM {s}.hcp_profiles p JOIN unnest(@tiers::text[], @tierOdds::float8[]) AS t(tier, odds) ON t.tier = p.tier
            ),
            cut AS ({AffinityCuts("h")}),
            ord AS (
                SELECT s.id, s.hcp_id, s.channel, s.stimulus_type, s.content_category, s.delivery_status, s.event_date,
                       CASE WHEN s.channel = 'rep_visit' THEN s.metadata->>'call_type' END AS call_type,
                       CASE WHEN s.channel = 'rep_visit' THEN s.metadata->'key_messages'->0->>'reaction' END AS reaction,
                       row_number() OVER (PARTITION BY s.hcp_id, date_trunc('month', s.event_date AT TIME ZONE 'UTC')
                                          ORDER BY s.event_date, CASE s.channel WHEN 'email' THEN 0 WHEN 'rep_visit' THEN 1 WHEN 'phone' THEN 2
                                                                 WHEN 'webinar' THEN 3 WHEN 'digital_ad' THEN 4 ELSE 5 END) - 1 AS ordinal
                FROM {s}.stimuli_events s
                WHERE s.event_date >= @firstMonth
            ),
            -- One row per eligible stimulus and possible outcome, with its true probability (0 when not delivered): logistic in
            -- the log-odds logit(base) + the touch's shift (+ a rep visit's call-type or reaction term), × an email_fatigue factor.
            e AS MATERIALIZED (
                SELECT o.id, o.channel, h.tier, c.outcome_type, {ByChannel("o.channel", true)} AS tercile,
                       CASE WHEN o.ordinal = 0 THEN 'first touch' WHEN o.ordinal <= 2 THEN 'touches 2-3' WHEN o.ordinal <= 5 THEN 'touches 4-6' ELSE 'touches 7+' END AS band,
                       o.content_category = h.preferred_content AS match,
                       CASE WHEN o.channel = 'rep_visit' AND c.outcome_type = 'sample_request' THEN 'sample_request after a ' || coalesce(o.call_type, '(none)') || ' call'
                            WHEN o.channel = 'rep_visit' AND c.outcome_type = 'meeting_scheduled' THEN 'meeting_scheduled after ' || coalesce('a ' || o.reaction || ' reaction', 'no key message')
                       END AS signal,
                       CASE WHEN o.delivery_status <> 'delivered' THEN 0
                            ELSE m.factor / (1 + {Exp("-(ln(c.base_rate / (1 - c.base_rate)) + m.shift + m.visit)")})
                                 * CASE WHEN c.prior_rate IS NULL THEN 1 ELSE m.factor / (1 + {Exp("-(ln(c.prior_rate / (1 - c.prior_rate)) + m.shift)")}) END END AS p,
                       CASE WHEN c.prior_rate IS NULL THEN NULL WHEN o.delivery_status <> 'delivered' THEN 0
                            ELSE m.factor / (1 + {Exp("-(ln(c.prior_rate / (1 - c.prior_rate)) + m.shift)")}) END AS p_open
                FROM ord o
                JOIN h ON h.id = o.hcp_id
                CROSS JOIN cut
                JOIN cells c ON c.stimulus_type = o.stimulus_type
                LEFT JOIN unnest(@callTypes::text[], @callTypeOdds::float8[]) AS ct(call_type, odds) ON ct.call_type = o.call_type
                LEFT JOIN unnest(@reactions::text[], @reactionOdds::float8[]) AS re(reaction, odds) ON re.reaction = o.reaction
                CROSS JOIN LATERAL (
                    SELECT h.tier_log_odds + @affinityLogOdds * ({ByChannel("o.channel", false)} - 0.5)
                             - @fatigue * o.ordinal
                             + CASE WHEN o.content_category = h.preferred_content THEN ln(@match) ELSE 0 END
                             + ln(@scale) AS shift,
                           CASE WHEN o.channel <> 'rep_visit' THEN 0
                                WHEN c.outcome_type = 'sample_request' THEN coalesce(ln(ct.odds), 0)
                                WHEN c.outcome_type = 'meeting_scheduled' THEN coalesce(ln(re.odds), 0) ELSE 0 END AS visit,
                           1.0::float8{fatigueFactor} AS factor
                ) m
                WHERE o.event_date + c.window_days * interval '1 day' <= @end
            ),
            x AS (
                SELECT e.*, oe.id IS NOT NULL AS happened
                FROM e LEFT JOIN {s}.outcome_events oe ON oe.stimulus_id = e.id AND oe.outcome_type = e.outcome_type
            )
            SELECT CASE WHEN GROUPING(channel, outcome_type, tier) = 0 THEN 'rate' WHEN GROUPING(tercile) = 0 THEN 'affinity'
                        WHEN GROUPING(band) = 0 THEN 'fatigue' WHEN GROUPING(signal) = 0 THEN 'signal' ELSE 'match' END,
                   CASE WHEN GROUPING(channel, outcome_type, tier) = 0 THEN channel || '/' || outcome_type || '/' || tier
                        WHEN GROUPING(tercile) = 0 THEN 'affinity tercile ' || tercile
                        WHEN GROUPING(band) = 0 THEN band
                        WHEN GROUPING(signal) = 0 THEN coalesce(signal, '')
                        WHEN match THEN 'content match' ELSE 'no content match' END,
                   count(*), sum(p), sum(p * (1 - p)),
                   sum(p * (1 - p) + CASE WHEN p_open IS NULL THEN 0 ELSE 2 * p * (1 - p_open) END),
                   count(*) FILTER (WHERE happened)
            FROM x
            GROUP BY GROUPING SETS ((channel, outcome_type, tier), (tercile), (band), (match), (signal))
            ORDER BY 1, 2
            """, r => (Kind: r.GetString(0), Label: r.GetString(1), Stimuli: r.GetInt64(2), Expected: r.GetDouble(3), Variance: r.GetDouble(4),
                PooledVariance: r.GetDouble(5), Observed: r.GetInt64(6)),
            p =>
            {
                p.AddWithValue("cellStimulus", cells.Select(c => c.Stimulus).ToArray());
                p.AddWithValue("cellOutcome", cells.Select(c => c.Outcome).ToArray());
                p.AddWithValue("cellBase", cells.Select(c => c.BaseRate).ToArray());
                p.AddWithValue("cellPrior", cells.Select(c => c.Prior).ToArray());
                p.AddWithValue("cellWindow", cells.Select(c => truth.Window[c.Outcome]).ToArray());
                p.AddWithValue("tiers", truth.TierOdds.Keys.ToArray());
                p.AddWithValue("tierOdds", truth.TierOdds.Values.ToArray());
                p.AddWithValue("affinityLogOdds", truth.Scalar("response_affinity_log_odds"));
                p.AddWithValue("fatigue", truth.Scalar("response_fatigue_log_odds_per_touch"));
                p.AddWithValue("match", truth.Scalar("response_content_match_odds_ratio"));
                p.AddWithValue("scale", truth.Scalar("response_scale_odds"));
                p.AddWithValue("callTypes", truth.CallTypeOdds.Keys.ToArray());
                p.AddWithValue("callTypeOdds", truth.CallTypeOdds.Values.ToArray());
                p.AddWithValue("reactions", truth.ReactionOdds.Keys.ToArray());
                p.AddWithValue("reactionOdds", truth.ReactionOdds.Values.ToArray());
                p.AddWithValue("firstMonth", firstWholeMonth.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                p.AddWithValue("end", EndOfData(run));
                p.AddWithValue("fatigueStart", fatigue.Select(x => x.Start).ToArray());
                p.AddWithValue("fatigueEnd", fatigue.Select(x => x.End).ToArray());
                p.AddWithValue("fatigueMagnitude", fatigue.Select(x => x.Magnitude).ToArray());
                p.AddWithValue("fatigueChannel", fatigue.Select(x => x.Channel).ToArray());
            });
        if (result is null)
        {
            return;
        }
        run.Add(CellResults.From(recovery, Category, recoveryDescription,
            result.Where(r => r.Kind == "rate").Select(r => new Cell(r.Label, r.Observed, r.Expected, r.Variance, 0, r.Expected)).ToList()));
        run.Add(CellResults.From(calibration, Category, calibrationDescription,
            result.Where(r => r.Kind is not ("rate" or "signal")).Select(r => new Cell(r.Label, r.Observed, r.Expected, r.PooledVariance, 0, r.Expected)).ToList()));
        run.Add(CellResults.From(signal, Category, signalDescription,
            result.Where(r => r.Kind == "signal" && r.Label.Length > 0).Select(r => new Cell(r.Label, r.Observed, r.Expected, r.Variance, 0, r.Expected)).ToList()));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
