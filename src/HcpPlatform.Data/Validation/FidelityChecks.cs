using System.Globalization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Statistical fidelity: realised data against the configured distributions and the stored ground truth.
/// Scores follow SDMetrics (0–1, higher is better); each threshold is documented with its check.
/// <list type="bullet">
/// <item><b>tv_specialty, tv_tier, tv_segment_given_tier, tv_channel_mix, tv_content_mix</b> — TVComplement
/// = 1 − ½ Σ |expected − observed share| ≥ 0.95. Expected: SpecialtyWeights; the tier shares the specialty and
/// TierBySpecialty weights imply; SegmentByTier per tier; SimulationModel.ChannelShare; ContentCategories.
/// The channel mix expected of a window shorter than whole years follows its months (quarter-end push).
/// For small samples 0.95 would fail by chance alone, so the threshold is min(0.95, 1 − (E + 4·SD)), where E and
/// SD are the mean and standard deviation of the total-variation distance of an n-sample drawn from the expected
/// shares themselves (normal approximation per category). At development scale every threshold is 0.95.</item>
/// <item><b>ks_latency_*</b> — KSComplement = 1 − D of the response latency per outcome type. The engine draws each
/// latency from an exponential with mean (configured mean × the HCP's response_latency_factor), truncated to the
/// attribution window (email_click: the open's latency plus such an exponential with the remaining mean, truncated
/// to the window left after the open). A mixture over HCPs is not exponential, so each latency is mapped through its
/// own truncated CDF (probability integral transform) and D is measured against the uniform distribution — exact
/// under the model. Outcomes of stimuli less than one window before the end of the data are left out (their long
/// latencies are not observable yet). Threshold: 1 − max(0.01, 1.95/√n), the KS test's 0.1% critical value (0.01
/// floor for the engine's one-minute minimum and microsecond rounding); informational below 20 outcomes.</item>
/// <item><b>touches_per_hcp_by_tier</b> — CardinalityShape of rep visits per HCP: the tier-1/tier-3 ratio of mean visits
/// within ×/÷ 1.33 of the configured field volume ratio (1.4 / 0.75 = 1.87, so tier 1 is seen more than tier 3), widened
/// to three standard errors of the log ratio when the visit counts are small.</item>
/// <item><b>response_rate_recovery</b> — recovery of the truth. Each delivered stimulus's response probability is
/// recomputed from data exactly as the engine draws it: base rate × tier modifier × (0.5 + the HCP's channel
/// affinity) × 1 / (1 + fatigue × touches earlier that calendar month) × content match multiplier × response scale,
/// capped at 0.95 (email: P(open), and P(click) = P(open) × P(click | open)), × (1 − magnitude) in the period of a
/// scenario email_fatigue event; all parameters from hcp.ground_truth. Undelivered stimuli have probability 0, so
/// outcomes of bounced or failed touches count against the model. The touch ordinal counts every touch of the HCP's
/// calendar month (UTC), ordered by time and channel, as the engine plans the month.
/// Per channel × outcome × tier cell, the observed count is compared with the sum of probabilities:
/// z = (observed − Σp) / √Σp(1−p). Pass when |z| ≤ 4 in every cell with Σp ≥ 5 (24 cells at development scale:
/// a false alarm about once in 700 datasets). Only whole calendar months of the window are used (the fatigue count
/// needs the month's earlier touches) and only stimuli at least one attribution window before the end.</item>
/// </list>
/// </summary>
internal static class FidelityChecks
{
    public const string Category = "fidelity";
    public const double TvThreshold = 0.95;
    public const double MaxAbsZ = 4.0;
    public const double MinCellExpected = 5.0;

    private static readonly string[] LatencyTypes = ["email_open", "email_click", "meeting_scheduled", "sample_request"];

    /// <summary>
    /// The checks, as independent parts that may run on separate connections. The ground truth is read once, by
    /// the first part that needs it (a failure to read it is reported there).
    /// </summary>
    public static IEnumerable<CheckPart> Parts()
    {
        var gate = new object();
        Task<Truth?>? truth = null;
        Task<Truth?> TruthAsync(CheckRun run)
        {
            lock (gate)
            {
                return truth ??= LoadTruthAsync(run);
            }
        }
        return
        [
            new(CategoricalAsync),
            new(async run => await RecoveryAsync(run, await TruthAsync(run)), Weight: 5),
            new(async run => await LatencyAsync(run, await TruthAsync(run)), Weight: 2),
            new(TouchesByTierAsync),
        ];
    }

    // ---------------------------------------------------------------- TVComplement

    private static async Task CategoricalAsync(CheckRun run)
    {
        var s = run.C.S;
        var model = run.C.Model;
        var cfg = run.C.Config;
        var names = new[] { "tv_specialty", "tv_tier", "tv_segment_given_tier", "tv_channel_mix", "tv_content_mix" };
        var rows = await run.TryQueryAsync(names.Select(n => (n, "TVComplement of a categorical column.")).ToList(), Category, $"""
                SELECT CASE WHEN GROUPING(specialty) = 0 THEN 'specialty' WHEN GROUPING(segment) = 0 THEN 'segment' ELSE 'tier' END,
                       CASE WHEN GROUPING(segment) = 0 THEN tier END,
                       CASE WHEN GROUPING(specialty) = 0 THEN specialty WHEN GROUPING(segment) = 0 THEN segment ELSE tier END,
                       count(*)
                FROM {s}.hcp_profiles GROUP BY GROUPING SETS ((specialty), (tier), (tier, segment))
                UNION ALL
                SELECT CASE WHEN GROUPING(channel) = 0 THEN 'channel' ELSE 'content' END, NULL,
                       CASE WHEN GROUPING(channel) = 0 THEN channel ELSE coalesce(content_category, '(none)') END,
                       count(*)
                FROM {s}.stimuli_events GROUP BY GROUPING SETS ((channel), (content_category))
                """, r => (Dimension: r.GetString(0), Group: r.IsDBNull(1) ? null : r.GetString(1), Value: r.IsDBNull(2) ? null : r.GetString(2), Count: r.GetInt64(3)));
        if (rows is null)
        {
            return;
        }
        Dictionary<string, long> Observed(string dimension, string? group = null) =>
            rows.Where(r => r.Dimension == dimension && r.Group == group).ToDictionary(r => r.Value ?? "(null)", r => r.Count, StringComparer.Ordinal);

        run.Add(Tv("tv_specialty", "Specialty mix of HCP profiles against SpecialtyWeights.",
            cfg.SpecialtyWeights.ToDictionary(p => p.Key, p => model.Specialties.ShareOf(p.Key), StringComparer.Ordinal), Observed("specialty")));
        run.Add(Tv("tv_tier", "Tier mix of HCP profiles against the shares implied by SpecialtyWeights × TierBySpecialty.",
            SimulationConfig.Tiers.Select((t, i) => (t, model.TierShare[i])).ToDictionary(x => x.t, x => x.Item2, StringComparer.Ordinal), Observed("tier")));

        var perTier = SimulationConfig.Tiers.Select(t => (Tier: t, Result: Tv("tv_segment_given_tier", "", model.SegmentByTier[SimulationModel.TierIndex(t)].Names
            .ToDictionary(n => n, n => model.SegmentByTier[SimulationModel.TierIndex(t)].ShareOf(n), StringComparer.Ordinal), Observed("segment", t)))).ToList();
        var worst = perTier.OrderBy(x => x.Result.Measured ?? 0).First();
        run.Add(new CheckResult("tv_segment_given_tier", Category, perTier.All(x => x.Result.Passed), worst.Result.Measured,
            string.Join("; ", perTier.Select(x => $"{x.Tier} {x.Result.Threshold}")),
            "Segment mix within each tier against SegmentByTier (measured: the lowest tier's score).",
            perTier.Select(x => F($"{x.Tier}: {x.Result.Measured:0.####}")).ToList()));

        var channelShare = run.C.WindowChannelShare;
        run.Add(Tv("tv_channel_mix", "Channel mix of stimuli against the configured mix (CHANNEL_FREQUENCY midpoints, SimulationModel.ChannelShare), weighted by the quarter-end months in the window.",
            Channel.Names.Select((c, i) => (c, channelShare[i])).ToDictionary(x => x.c, x => x.Item2, StringComparer.Ordinal), Observed("channel")));
        run.Add(Tv("tv_content_mix", "Content category mix of stimuli against ContentCategories.",
            cfg.ContentCategories.ToDictionary(p => p.Key, p => model.Content.ShareOf(p.Key), StringComparer.Ordinal), Observed("content")));
    }

    internal static CheckResult Tv(string name, string description, IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, long> observed)
    {
        var n = observed.Values.Sum();
        var keys = expected.Keys.Union(observed.Keys).Order(StringComparer.Ordinal).ToList();
        var gaps = keys.Select(k => (Key: k, Expected: expected.GetValueOrDefault(k), Observed: n == 0 ? 0 : (double)observed.GetValueOrDefault(k) / n)).ToList();
        var score = 1 - 0.5 * gaps.Sum(g => Math.Abs(g.Expected - g.Observed));
        var threshold = TvThresholdFor(expected.Values, n);
        var examples = gaps.OrderByDescending(g => Math.Abs(g.Expected - g.Observed)).Take(DatasetValidator.ExampleCount)
            .Select(g => F($"{g.Key}: {g.Observed:0.0000} observed, {g.Expected:0.0000} expected")).ToList();
        if (n == 0)
        {
            return new CheckResult(name, Category, true, null, "informational: no rows", description, []);
        }
        if (score >= threshold)
        {
            return new CheckResult(name, Category, true, Math.Round(score, 4), F($"≥ {threshold:0.###} (n = {n:N0})"), description, examples);
        }
        // Below development scale a normal approximation of the TV distance understates its tail: a
        // sample is only flagged when a chi-square goodness-of-fit test also finds it implausible (p < 1e-4).
        var p = threshold < TvThreshold ? ChiSquarePValue(gaps.Select(g => (g.Expected * n, g.Observed * n)), gaps.Count - 1) : 0;
        return new CheckResult(name, Category, p >= ChiSquareAlpha, Math.Round(score, 4),
            F($"≥ {threshold:0.###} (n = {n:N0}), or chi-square p ≥ {ChiSquareAlpha} below development scale (p = {p:0.######})"), description, examples);
    }

    internal const double ChiSquareAlpha = 1e-4;

    /// <summary>P(χ²(df) ≥ Σ (O − E)² / E): the regularised upper incomplete gamma Q(df/2, x/2).</summary>
    internal static double ChiSquarePValue(IEnumerable<(double Expected, double Observed)> cells, int df)
    {
        var x = cells.Where(c => c.Expected > 0).Sum(c => (c.Observed - c.Expected) * (c.Observed - c.Expected) / c.Expected);
        if (cells.Any(c => c.Expected <= 0 && c.Observed > 0))
        {
            return 0; // a category that should never occur did
        }
        return df <= 0 ? 1 : UpperRegularizedGamma(df / 2.0, x / 2.0);
    }

    /// <summary>Q(a, x) by its series (x &lt; a + 1) or continued fraction (Numerical Recipes, gammq).</summary>
    private static double UpperRegularizedGamma(double a, double x)
    {
        if (x <= 0)
        {
            return 1;
        }
        var lnGammaA = LogGamma(a);
        if (x < a + 1)
        {
            double sum = 1 / a, term = sum;
            for (var k = 1; k < 500 && Math.Abs(term) > Math.Abs(sum) * 1e-15; k++)
            {
                term *= x / (a + k);
                sum += term;
            }
            return 1 - sum * Math.Exp(-x + a * Math.Log(x) - lnGammaA);
        }
        double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
        for (var i = 1; i < 500; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            d = Math.Abs(d) < 1e-300 ? 1e-300 : d;
            c = b + an / c;
            c = Math.Abs(c) < 1e-300 ? 1e-300 : c;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
            {
                break;
            }
        }
        return Math.Exp(-x + a * Math.Log(x) - lnGammaA) * h;
    }

    /// <summary>ln Γ(z) by the Lanczos approximation (g = 7, n = 9).</summary>
    private static double LogGamma(double z)
    {
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        z -= 1;
        var x = g[0];
        for (var i = 1; i < 9; i++)
        {
            x += g[i] / (z + i);
        }
        var t = z + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(x);
    }

    /// <summary>min(0.95, 1 − (E + 4·SD)) of the TV distance of an n-sample from the expected shares.</summary>
    internal static double TvThresholdFor(IEnumerable<double> expectedShares, long n)
    {
        if (n <= 0)
        {
            return TvThreshold;
        }
        var sigmas = expectedShares.Select(p => Math.Sqrt(Math.Max(0, p * (1 - p)) / n)).ToList();
        var mean = 0.5 * Math.Sqrt(2 / Math.PI) * sigmas.Sum();
        var sd = 0.5 * Math.Sqrt((1 - 2 / Math.PI) * sigmas.Sum(x => x * x));
        return Math.Min(TvThreshold, Math.Max(0, 1 - (mean + 4 * sd)));
    }

    // ---------------------------------------------------------------- KSComplement of latencies

    /// <summary>exp(x) clamped to PostgreSQL's float8 range (its exp() raises on underflow).</summary>
    private static string Exp(string x) => $"exp(greatest(-700.0, least(700.0, {x})))";

    private static async Task LatencyAsync(CheckRun run, Truth? truth)
    {
        var s = run.C.S;
        var names = LatencyTypes.Select(t => ($"ks_latency_{t}", $"KSComplement of {t} latency against its configured truncated exponential.")).ToList();
        if (truth is null || !LatencyTypes.All(t => truth.LatencyMean.ContainsKey(t) && truth.Window.ContainsKey(t)))
        {
            foreach (var (name, description) in names)
            {
                run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks latency_mean_days or attribution_window_days for this outcome type"]));
            }
            return;
        }
        var direct = LatencyTypes.Where(t => t != "email_click").ToArray();
        var rows = await run.TryQueryAsync(names, Category, $"""
            WITH lat AS (SELECT * FROM unnest(@types::text[], @means::float8[], @windows::float8[]) AS l(outcome_type, mean_days, window_days)),
            base AS (
                SELECT o.outcome_type, o.stimulus_id, s.event_date AS stimulus_at,
                       extract(epoch FROM o.event_date - s.event_date) / 86400.0 AS x,
                       greatest(p.response_latency_factor, 1e-6) AS f
                FROM {s}.outcome_events o
                JOIN {s}.stimuli_events s ON s.id = o.stimulus_id
                JOIN {s}.hcp_profiles p ON p.id = s.hcp_id
                WHERE o.outcome_type IN ('email_open', 'email_click', 'meeting_scheduled', 'sample_request')
            ),
            u AS (
                SELECT b.outcome_type,
                       (1 - {Exp("-b.x / (l.mean_days * b.f)")}) / (1 - {Exp("-l.window_days / (l.mean_days * b.f)")}) AS u
                FROM base b JOIN lat l ON l.outcome_type = b.outcome_type
                WHERE b.stimulus_at + l.window_days * interval '1 day' <= @end
                UNION ALL
                SELECT 'email_click',
                       (1 - {Exp("-(c.x - op.x) / m")}) / (1 - {Exp("-(@clickWindow - op.x) / m")})
                FROM base c
                JOIN base op ON op.stimulus_id = c.stimulus_id AND op.outcome_type = 'email_open'
                CROSS JOIN LATERAL (SELECT greatest(0.01, @clickExtraMean * c.f) AS m) mm
                WHERE c.outcome_type = 'email_click' AND c.stimulus_at + @clickWindow * interval '1 day' <= @end
            ),
            r AS (
                SELECT outcome_type, u,
                       row_number() OVER (PARTITION BY outcome_type ORDER BY u) AS i,
                       count(*) OVER (PARTITION BY outcome_type) AS n
                FROM u
            )
            SELECT outcome_type, max(n), max(greatest(i::float8 / n - u, u - (i - 1)::float8 / n))
            FROM r GROUP BY outcome_type
            """, r => (Type: r.GetString(0), N: r.GetInt64(1), D: r.GetDouble(2)),
            p =>
            {
                p.AddWithValue("types", direct);
                p.AddWithValue("means", direct.Select(t => truth.LatencyMean[t]).ToArray());
                p.AddWithValue("windows", direct.Select(t => truth.Window[t]).ToArray());
                p.AddWithValue("clickWindow", truth.Window["email_click"]);
                p.AddWithValue("clickExtraMean", truth.LatencyMean["email_click"] - truth.LatencyMean["email_open"]);
                p.AddWithValue("end", EndOfData(run));
            });
        if (rows is null)
        {
            return;
        }
        foreach (var type in LatencyTypes)
        {
            var row = rows.FirstOrDefault(r => r.Type == type);
            var n = row.Type is null ? 0 : row.N;
            var score = row.Type is null ? 0 : 1 - row.D;
            var critical = Math.Max(0.01, 1.95 / Math.Sqrt(Math.Max(1, n)));
            var informational = n < 20;
            var passed = informational || score >= 1 - critical;
            run.Add(new CheckResult($"ks_latency_{type}", Category, passed, row.Type is null ? null : Math.Round(score, 4),
                informational ? F($"informational below 20 outcomes (n = {n})") : F($"≥ {1 - critical:0.###} (n = {n:N0}; KS 0.1% critical value)"),
                $"KSComplement of {type} latency against its configured distribution (truncated exponential scaled by the HCP's latency factor{(type == "email_click" ? ", after the open" : "")}), by probability integral transform.",
                passed ? [] : [F($"D = {row.D:0.0000} over {n} outcomes")]));
        }
    }

    /// <summary>The first instant after the data: midnight UTC after simulated_through.</summary>
    private static DateTime EndOfData(CheckRun run) =>
        run.C.Info.SimulatedThrough.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    // ---------------------------------------------------------------- CardinalityShape

    private static async Task TouchesByTierAsync(CheckRun run)
    {
        var s = run.C.S;
        const string name = "touches_per_hcp_by_tier";
        const string description = "Rep visits per HCP by tier (CardinalityShape): tier 1 is seen most, tier 3 least, in the configured proportion.";
        var rows = await run.TryQueryAsync([(name, description)], Category, $"""
                SELECT p.tier, count(*), coalesce(sum(v.n), 0)::bigint
                FROM {s}.hcp_profiles p
                LEFT JOIN (SELECT hcp_id, count(*) AS n FROM {s}.stimuli_events WHERE channel = 'rep_visit' GROUP BY hcp_id) v ON v.hcp_id = p.id
                GROUP BY p.tier
                """, r => (Tier: r.GetString(0), Hcps: r.GetInt64(1), Visits: r.GetInt64(2)));
        if (rows is null)
        {
            return;
        }
        double Mean(string tier) => rows.Where(r => r.Tier == tier).Select(r => r.Hcps == 0 ? 0 : (double)r.Visits / r.Hcps).DefaultIfEmpty(0).First();
        long Visits(string tier) => rows.Where(r => r.Tier == tier).Sum(r => r.Visits);
        var (t1, t2, t3) = (Mean("Tier 1"), Mean("Tier 2"), Mean("Tier 3"));
        var expectedRatio = run.C.Model.TierVolume[Channel.RepVisit, 0] / run.C.Model.TierVolume[Channel.RepVisit, 2];
        var ratio = t3 > 0 ? t1 / t3 : 0;
        // Band: ×/÷ 1.33 around the configured ratio, widened to 3 standard errors of the log ratio (Poisson counts) for small samples.
        var se = Math.Sqrt(1.0 / Math.Max(1, Visits("Tier 1")) + 1.0 / Math.Max(1, Visits("Tier 3")));
        var spread = Math.Exp(Math.Max(Math.Log(1.33), 3 * se));
        var (low, high) = (expectedRatio / spread, expectedRatio * spread);
        // Within the band, tier 1 is seen more than tier 3 whenever the data can tell (the band then lies above 1).
        var informational = run.C.Info.HcpCount < VolumeChecks.MinimumHcps || Visits("Tier 1") + Visits("Tier 3") < 20;
        var passed = informational || (ratio >= low && ratio <= high);
        run.Add(new CheckResult(name, Category, passed, Math.Round(ratio, 3),
            (informational ? "informational below 100 HCPs or 20 visits; " : "") + F($"tier-1/tier-3 ratio of mean visits {low:0.##}–{high:0.##} (configured {expectedRatio:0.##})"),
            description, [F($"rep visits per HCP: Tier 1 {t1:0.###}, Tier 2 {t2:0.###}, Tier 3 {t3:0.###}")]));
    }

    // ---------------------------------------------------------------- Recovery of the truth

    /// <summary>The engine's true response model and latencies, as stored in hcp.ground_truth.</summary>
    internal sealed record Truth(
        IReadOnlyDictionary<string, double> Scalars,
        IReadOnlyDictionary<string, double> TierModifier,
        IReadOnlyList<(string Stimulus, string Outcome, double BaseRate)> Rates,
        IReadOnlyDictionary<string, double> LatencyMean,
        IReadOnlyDictionary<string, double> Window,
        IReadOnlyList<FatiguePeriod> Fatigue);

    /// <summary>A scenario email_fatigue event (ground_truth scenario_event): responses to touches of its channels sent in [Start, End] × (1 − Magnitude).</summary>
    internal sealed record FatiguePeriod(DateOnly Start, DateOnly? End, double Magnitude, IReadOnlyList<string> Channels);

    private static readonly string[] TruthScalars = ["response_scale", "fatigue_per_touch", "content_match_multiplier", "affinity_modifier_offset", "max_response_probability"];

    private static async Task<Truth?> LoadTruthAsync(CheckRun run)
    {
        var rows = await run.TryQueryAsync([("ground_truth", "The dataset stores the engine's true parameters.")], Category, $"""
            SELECT parameter, tier, outcome_type, details->>'stimulus_type', (details->>'base_rate')::float8, value,
                   CASE WHEN parameter = 'scenario_event' THEN details::text END
            FROM {run.C.S}.ground_truth
            WHERE parameter IN ('response_scale', 'fatigue_per_touch', 'content_match_multiplier', 'affinity_modifier_offset', 'max_response_probability',
                                'tier_modifier', 'latency_mean_days', 'attribution_window_days')
               OR (parameter = 'response_probability' AND details ? 'base_rate')
               OR (parameter = 'scenario_event' AND details->>'type' = 'email_fatigue')
            """, r => (Parameter: r.GetString(0), Tier: r.IsDBNull(1) ? null : r.GetString(1), Outcome: r.IsDBNull(2) ? null : r.GetString(2),
                Stimulus: r.IsDBNull(3) ? null : r.GetString(3), BaseRate: r.IsDBNull(4) ? (double?)null : r.GetDouble(4), Value: r.GetDouble(5),
                Details: r.IsDBNull(6) ? null : r.GetString(6)));
        if (rows is null)
        {
            return null;
        }
        var scalars = rows.Where(r => TruthScalars.Contains(r.Parameter)).GroupBy(r => r.Parameter).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        return new Truth(
            scalars,
            rows.Where(r => r.Parameter == "tier_modifier" && r.Tier is not null).GroupBy(r => r.Tier!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "response_probability" && r.Stimulus is not null && r.Outcome is not null && r.BaseRate is not null)
                .Select(r => (r.Stimulus!, r.Outcome!, r.BaseRate!.Value)).Distinct().OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList(),
            rows.Where(r => r.Parameter == "latency_mean_days" && r.Outcome is not null).GroupBy(r => r.Outcome!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "attribution_window_days" && r.Outcome is not null).GroupBy(r => r.Outcome!).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal),
            rows.Where(r => r.Parameter == "scenario_event" && r.Details is not null).Select(r => ParseFatigue(r.Details!)).OfType<FatiguePeriod>().ToList());
    }

    private static FatiguePeriod? ParseFatigue(string details)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(details);
        var e = doc.RootElement;
        static DateOnly? Day(System.Text.Json.JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String
                && DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        if (Day(e, "start") is not { } start || !e.TryGetProperty("magnitude", out var magnitude) || magnitude.ValueKind != System.Text.Json.JsonValueKind.Number)
        {
            return null;
        }
        var channels = e.TryGetProperty("channels", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
            ? list.EnumerateArray().Where(x => x.ValueKind == System.Text.Json.JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : ["email"];
        return new FatiguePeriod(start, Day(e, "end"), magnitude.GetDouble(), channels);
    }

    private static async Task RecoveryAsync(CheckRun run, Truth? truth)
    {
        var s = run.C.S;
        const string name = "response_rate_recovery";
        const string description = "Observed outcomes per channel × outcome type × tier against the sum of each delivered stimulus's true response probability (recomputed from ground_truth).";
        var missing = truth is null ? ["ground_truth"] : TruthScalars.Where(k => !truth.Scalars.ContainsKey(k)).ToList();
        if (truth is not null && (truth.TierModifier.Count == 0 || truth.Rates.Count == 0))
        {
            missing.Add("tier_modifier / response_probability base rates");
        }
        if (truth is null || missing.Count > 0)
        {
            run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks " + string.Join(", ", missing)]));
            return;
        }

        // Cells: one per (stimulus type, outcome); an email's click is drawn only after an open (prior = P(open)).
        var open = truth.Rates.FirstOrDefault(r => r.Stimulus == "email_send" && r.Outcome == "email_open");
        var cells = truth.Rates.Where(r => r.Stimulus != "email_open")
            .Select(r => (r.Stimulus, r.Outcome, r.BaseRate, Prior: (double?)null))
            .Concat(truth.Rates.Where(r => r.Stimulus == "email_open" && open.Stimulus is not null)
                .Select(r => (Stimulus: "email_send", r.Outcome, r.BaseRate, Prior: (double?)open.BaseRate)))
            .Where(c => truth.Window.ContainsKey(c.Outcome))
            .ToList();

        var affinityColumns = string.Join(", ", Channel.Names.Select(c => $"(p.channel_affinities->>'{c}')::float8 AS a_{c}"));
        var affinity = string.Join(" ", Channel.Names.Select(c => $"WHEN '{c}' THEN h.a_{c}"));
        var ws = run.C.Info.WindowStart;
        var firstWholeMonth = ws.Day == 1 ? ws : new DateOnly(ws.Year, ws.Month, 1).AddMonths(1);
        // Scenario email_fatigue events scale the probability of touches sent in their period (only when there are any).
        var fatigue = truth.Fatigue.SelectMany(f => f.Channels.Select(c => (f.Start, End: f.End ?? DateOnly.MaxValue, f.Magnitude, Channel: c))).ToList();
        var fatigueFactor = fatigue.Count == 0 ? "" : """
             * (SELECT CASE WHEN bool_or(f.magnitude >= 1) THEN 0 ELSE coalesce(exp(sum(ln(1 - f.magnitude))), 1) END
                FROM unnest(@fatigueStart::date[], @fatigueEnd::date[], @fatigueMagnitude::float8[], @fatigueChannel::text[]) AS f(first_day, last_day, magnitude, channel)
                WHERE f.channel = o.channel AND (o.event_date AT TIME ZONE 'UTC')::date BETWEEN f.first_day AND f.last_day)
            """;
        var result = await run.TryQueryAsync([(name, description)], Category, $"""
            WITH cells AS (
                SELECT * FROM unnest(@cellStimulus::text[], @cellOutcome::text[], @cellBase::float8[], @cellPrior::float8[], @cellWindow::float8[])
                    AS c(stimulus_type, outcome_type, base_rate, prior_rate, window_days)
            ),
            h AS (
                SELECT p.id, p.tier, p.preferred_content, t.modifier AS tier_mod, {affinityColumns}
                FROM {s}.hcp_profiles p JOIN unnest(@tiers::text[], @tierMods::float8[]) AS t(tier, modifier) ON t.tier = p.tier
            ),
            ord AS (
                SELECT s.id, s.hcp_id, s.channel, s.stimulus_type, s.content_category, s.delivery_status, s.event_date,
                       row_number() OVER (PARTITION BY s.hcp_id, date_trunc('month', s.event_date AT TIME ZONE 'UTC')
                                          ORDER BY s.event_date, CASE s.channel WHEN 'email' THEN 0 WHEN 'rep_visit' THEN 1 WHEN 'phone' THEN 2
                                                                 WHEN 'webinar' THEN 3 WHEN 'digital_ad' THEN 4 ELSE 5 END) - 1 AS ordinal
                FROM {s}.stimuli_events s
                WHERE s.event_date >= @firstMonth
            ),
            -- One row per eligible stimulus and possible outcome, with its true probability (0 when not delivered).
            e AS MATERIALIZED (
                SELECT o.id, o.channel, h.tier, c.outcome_type,
                       CASE WHEN o.delivery_status <> 'delivered' THEN 0
                            ELSE least(@cap, c.base_rate * m.modifier)
                                 * CASE WHEN c.prior_rate IS NULL THEN 1 ELSE least(@cap, c.prior_rate * m.modifier) END END AS p
                FROM ord o
                JOIN h ON h.id = o.hcp_id
                JOIN cells c ON c.stimulus_type = o.stimulus_type
                CROSS JOIN LATERAL (
                    SELECT h.tier_mod * (@offset + CASE o.channel {affinity} END)
                             / (1 + @fatigue * o.ordinal)
                             * CASE WHEN o.content_category = h.preferred_content THEN @match ELSE 1 END
                             * @scale{fatigueFactor} AS modifier
                ) m
                WHERE o.event_date + c.window_days * interval '1 day' <= @end
            ),
            expected AS (
                SELECT channel, outcome_type, tier, count(*) AS stimuli, sum(p) AS expected, sum(p * (1 - p)) AS variance
                FROM e GROUP BY channel, outcome_type, tier
            ),
            observed AS (
                SELECT e.channel, e.outcome_type, e.tier, count(*) AS observed
                FROM {s}.outcome_events o JOIN e ON e.id = o.stimulus_id AND e.outcome_type = o.outcome_type
                GROUP BY e.channel, e.outcome_type, e.tier
            )
            SELECT x.channel, x.outcome_type, x.tier, x.stimuli, x.expected, x.variance, coalesce(y.observed, 0)::bigint
            FROM expected x LEFT JOIN observed y ON y.channel = x.channel AND y.outcome_type = x.outcome_type AND y.tier = x.tier
            ORDER BY 1, 2, 3
            """, r => (Channel: r.GetString(0), Outcome: r.GetString(1), Tier: r.GetString(2), Stimuli: r.GetInt64(3), Expected: r.GetDouble(4), Variance: r.GetDouble(5), Observed: r.GetInt64(6)),
            p =>
            {
                p.AddWithValue("cellStimulus", cells.Select(c => c.Stimulus).ToArray());
                p.AddWithValue("cellOutcome", cells.Select(c => c.Outcome).ToArray());
                p.AddWithValue("cellBase", cells.Select(c => c.BaseRate).ToArray());
                p.AddWithValue("cellPrior", cells.Select(c => c.Prior).ToArray());
                p.AddWithValue("cellWindow", cells.Select(c => truth.Window[c.Outcome]).ToArray());
                p.AddWithValue("tiers", truth.TierModifier.Keys.ToArray());
                p.AddWithValue("tierMods", truth.TierModifier.Values.ToArray());
                p.AddWithValue("offset", truth.Scalars["affinity_modifier_offset"]);
                p.AddWithValue("fatigue", truth.Scalars["fatigue_per_touch"]);
                p.AddWithValue("match", truth.Scalars["content_match_multiplier"]);
                p.AddWithValue("scale", truth.Scalars["response_scale"]);
                p.AddWithValue("cap", truth.Scalars["max_response_probability"]);
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
        var scored = result.Select(c => (Cell: c, Z: c.Variance > 0 ? (c.Observed - c.Expected) / Math.Sqrt(c.Variance) : c.Observed == c.Expected ? 0 : double.PositiveInfinity))
            .Where(x => x.Cell.Expected >= MinCellExpected).ToList();
        var maxZ = scored.Count == 0 ? 0 : scored.Max(x => Math.Abs(x.Z));
        var passed = scored.All(x => Math.Abs(x.Z) <= MaxAbsZ);
        run.Add(new CheckResult(name, Category, passed, Math.Round(maxZ, 3),
            F($"|z| ≤ {MaxAbsZ} in every cell with ≥ {MinCellExpected} expected outcomes ({scored.Count} cells)"),
            description,
            scored.OrderByDescending(x => Math.Abs(x.Z)).Take(DatasetValidator.ExampleCount)
                .Select(x => F($"{x.Cell.Channel}/{x.Cell.Outcome}/{x.Cell.Tier}: observed {x.Cell.Observed}, expected {x.Cell.Expected:0.0} of {x.Cell.Stimuli} stimuli, z = {x.Z:0.00}")).ToList()));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
