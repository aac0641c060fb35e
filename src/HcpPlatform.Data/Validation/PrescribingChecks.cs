using System.Globalization;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Statistical checks of prescribing_history against the ground truth's prescribing model: a month's Rx count is
/// round(base_conversion_rate × rx_baseline_multiplier × lift × seasonality(month) × noise), lift = 1 + min(cap,
/// rx_lift_per_engaged_response × engaged responses in the lookback days before the month), noise lognormal with mean 1
/// and log-sd rx_noise_sigma + rx_noise_sigma_per_volatility × engagement_volatility. Only months whose lookback lies
/// wholly in the data are used (lookback + the longest attribution window after the window start: earlier months' engaged
/// responses may answer stimuli before the window). Thresholds at the false-alarm rate <see cref="Stats.FalseAlarmRate"/>.
/// <list type="bullet">
/// <item><b>rx_seasonality</b> — Σ rx_count per calendar month against Σ expected, variance Σ E²(e^(s²) − 1) + 1/12 (noise
/// and rounding); rows whose sampling sd E·s is under 0.5 are left out of these means, because rounding to whole
/// prescriptions biases small counts (below 0.7% at that sd).</item>
/// <item><b>rx_engagement_lift</b> — the same by engaged responses in the lookback (0, 1, 2, … up to the cap): the lift's
/// size, not only its sign.</item>
/// <item><b>rx_distribution</b> — the distribution's shape: each count's randomised probability integral transform under its
/// rounded lognormal (F(r − 1) + v·(F(r) − F(r − 1)), v uniform from a hash of the row id), which is uniform under the
/// model for counts of any size; chi-square over 20 equal bins. Measured: the p-value.</item>
/// </list>
/// </summary>
internal static class PrescribingChecks
{
    public const string Category = FidelityChecks.Category;

    /// <summary>An Rx row's sampling sd (expected × log-sd) at least this to enter the means: rounding then biases them by under 0.7%.</summary>
    public const double MinSdForMeans = 0.5;

    private const int Bins = 20;

    public static async Task RunAsync(CheckRun run, ValidationTruth? truth)
    {
        var s = run.C.S;
        (string Name, string Description)[] checks =
        [
            ("rx_seasonality", "Rx per calendar month against base × multiplier × lift × the month's seasonality from ground_truth (the seasonality's test); measured: the largest share of its allowance a month uses."),
            ("rx_engagement_lift", "Rx by engaged responses in the lookback before the month against the lift ground_truth states (its size, not only its sign); measured: the largest share of its allowance a group uses."),
            ("rx_distribution", "Shape of the Rx counts: randomised probability integral transform under the rounded lognormal noise of ground_truth, chi-square over 20 bins; measured: p."),
        ];
        var missing = truth is null ? ["ground_truth"] : truth.MissingForRx();
        if (truth is null || missing.Count > 0)
        {
            foreach (var (name, description) in checks)
            {
                run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks " + string.Join(", ", missing)]));
            }
            return;
        }
        var observableFrom = run.C.Info.WindowStart.AddDays(truth.RxLookbackDays + (int)Math.Ceiling(truth.Window.Values.Max()));
        var perResponse = truth.Scalar("rx_lift_per_engaged_response");
        var cap = truth.Scalar("rx_lift_cap");
        var atCap = perResponse > 0 ? (int)Math.Ceiling(cap / perResponse - 1e-9) : 0;
        var rows = await run.TryQueryAsync(checks, Category, $"""
            WITH eng AS (
                SELECT hcp_id, (event_date AT TIME ZONE 'UTC')::date AS d, count(*) AS c
                FROM {s}.outcome_events WHERE outcome_type = ANY(@engaged) GROUP BY 1, 2
            ),
            rx AS (
                SELECT r.id, r.rx_count, r.m, p.base_conversion_rate AS base, @sigma0 + @sigmaV * p.engagement_volatility AS sigma,
                       coalesce(sum(e.c), 0)::int AS engaged
                FROM (SELECT id, hcp_id, rx_count, (month AT TIME ZONE 'UTC')::date AS m FROM {s}.prescribing_history WHERE month >= @observableFrom) r
                JOIN {s}.hcp_profiles p ON p.id = r.hcp_id
                LEFT JOIN eng e ON e.hcp_id = r.hcp_id AND e.d >= r.m - @lookback AND e.d < r.m
                GROUP BY r.id, r.rx_count, r.m, p.base_conversion_rate, p.engagement_volatility
            ),
            x AS MATERIALIZED (
                SELECT rx.*, rx.base * @multiplier * (1 + least(@cap, @perResponse * rx.engaged)) * season.value AS expected
                FROM rx JOIN unnest(@months::int[], @seasonality::float8[]) AS season(month, value) ON season.month = extract(month FROM rx.m)::int
                WHERE rx.sigma > 0
            ),
            -- Where the count's CDF is evaluated (below and at it), and the randomisation v: computed once per row.
            z AS MATERIALIZED (
                SELECT (ln((x.rx_count + 0.5::float8) / x.expected) + x.sigma * x.sigma / 2) / x.sigma AS z1,
                       CASE WHEN x.rx_count >= 1 THEN (ln((x.rx_count - 0.5::float8) / x.expected) + x.sigma * x.sigma / 2) / x.sigma END AS z0,
                       ('x' || substr(md5(x.id::text), 1, 13))::bit(52)::bigint / 4503599627370496.0::float8 AS v
                FROM x WHERE x.expected > 0
            ),
            pit AS (
                SELECT f0 + z.v * (f1 - f0) AS u
                FROM z CROSS JOIN LATERAL (SELECT {NormalCdf("z.z1")} AS f1, CASE WHEN z.z0 IS NULL THEN 0 ELSE {NormalCdf("z.z0")} END AS f0) f
            )
            SELECT 'month', extract(month FROM m)::int, count(*), sum(rx_count)::float8, sum(expected),
                   sum(expected * expected * (exp(sigma * sigma) - 1) + 1.0 / 12)
            FROM x WHERE expected * sigma >= @minSd GROUP BY 2
            UNION ALL
            SELECT 'engaged', least(engaged, @atCap), count(*), sum(rx_count)::float8, sum(expected),
                   sum(expected * expected * (exp(sigma * sigma) - 1) + 1.0 / 12)
            FROM x WHERE expected * sigma >= @minSd GROUP BY 2
            UNION ALL
            SELECT 'pit', least(@bins - 1, greatest(0, floor(u * @bins)))::int, count(*), 0, 0, 0 FROM pit GROUP BY 2
            """, r => (Kind: r.GetString(0), Key: r.GetInt32(1), Rows: r.GetInt64(2), Observed: r.GetDouble(3), Expected: r.GetDouble(4), Variance: r.GetDouble(5)),
            p =>
            {
                p.AddWithValue("engaged", truth.Engaged.ToArray());
                p.AddWithValue("lookback", truth.RxLookbackDays);
                p.AddWithValue("observableFrom", observableFrom.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                p.AddWithValue("sigma0", truth.Scalar("rx_noise_sigma"));
                p.AddWithValue("sigmaV", truth.Scalar("rx_noise_sigma_per_volatility"));
                p.AddWithValue("multiplier", truth.Scalar("rx_baseline_multiplier"));
                p.AddWithValue("cap", cap);
                p.AddWithValue("perResponse", perResponse);
                p.AddWithValue("months", truth.Seasonality.Keys.ToArray());
                p.AddWithValue("seasonality", truth.Seasonality.Values.ToArray());
                p.AddWithValue("minSd", MinSdForMeans);
                p.AddWithValue("atCap", atCap);
                p.AddWithValue("bins", Bins);
            });
        if (rows is null)
        {
            return;
        }
        var window = F($"months from {observableFrom:yyyy-MM-dd}");
        run.Add(CellResults.From("rx_seasonality", Category, checks[0].Description + $" Rows: {window}.",
            rows.Where(r => r.Kind == "month").OrderBy(r => r.Key).Select(r => new Cell(F($"month {r.Key:00}"), r.Observed, r.Expected, r.Variance, 0, r.Rows)).ToList()));
        run.Add(CellResults.From("rx_engagement_lift", Category, checks[1].Description + $" Rows: {window}.",
            rows.Where(r => r.Kind == "engaged").OrderBy(r => r.Key)
                .Select(r => new Cell(r.Key == atCap ? F($"{atCap}+ engaged (lift {truth.Lift(atCap):0.##})") : F($"{r.Key} engaged (lift {truth.Lift(r.Key):0.##})"), r.Observed, r.Expected, r.Variance, 0, r.Rows)).ToList()));

        var counts = Enumerable.Range(0, Bins).ToDictionary(i => i.ToString("00", CultureInfo.InvariantCulture),
            i => rows.Where(r => r.Kind == "pit" && r.Key == i).Sum(r => r.Rows), StringComparer.Ordinal);
        var n = counts.Values.Sum();
        if (n < Stats.MinExpectedPerCell * Bins)
        {
            run.Add(new CheckResult("rx_distribution", Category, true, null, F($"informational: {n} Rx rows from {observableFrom:yyyy-MM-dd}, needs {Stats.MinExpectedPerCell * Bins:0}"), checks[2].Description, []));
            return;
        }
        var fit = Stats.ChiSquareGoodnessOfFit(counts.Keys.ToDictionary(k => k, _ => 1.0 / Bins, StringComparer.Ordinal), counts);
        run.Add(new CheckResult("rx_distribution", Category, fit.Passes(), Math.Round(fit.P, 6),
            F($"chi-square p ≥ {Stats.FalseAlarmRate} over {Bins} equal bins (n = {n:N0})"), checks[2].Description + $" Rows: {window}.",
            fit.Cells.OrderByDescending(c => Math.Abs(c.Observed - c.Expected)).Take(DatasetValidator.ExampleCount)
                .Select(c => F($"bin {c.Key}: {c.Observed:0} observed, {c.Expected:0.#} expected")).ToList()));
    }

    /// <summary>
    /// SQL for Φ(z) (Abramowitz and Stegun 26.2.17, absolute error below 7.5e-8; PostgreSQL 15 has no erf). The argument
    /// is evaluated several times: pass a column, not an expression with side effects.
    /// </summary>
    internal static string NormalCdf(string z)
    {
        var t = $"(1.0 / (1.0 + 0.2316419 * abs({z})))";
        var tail = $"({FidelityChecks.Exp($"-({z}) * ({z}) / 2")} / 2.5066282746310002 * {t} * (0.319381530 + {t} * (-0.356563782 + {t} * (1.781477937 + {t} * (-1.821255978 + {t} * 1.330274429)))))";
        return $"(CASE WHEN {z} >= 0 THEN 1 - {tail} ELSE {tail} END)";
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
