using System.Globalization;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Checks of prescribing_history and the prescribing traits against the ground truth's prescribing model (rx_model): a month's
/// expected Rx is patient_volume × base_conversion_rate × seasonality(month) × exp(segment multiplier × Σ_d lift_d × A_d),
/// A_d = Σ_{j=0..K} carryover_d^j × (driver d's count in month − j), the drivers being the HCP's delivered touches per channel
/// and its responses per type (each in the UTC calendar month of its own date); the count is Poisson around expected × a
/// gamma of mean 1 and coefficient of variation rx_noise_sigma + rx_noise_sigma_per_volatility × engagement_volatility
/// (negative binomial). Only months whose carryover months lie wholly in the data are used (K months + the longest
/// attribution window after the window start: earlier responses may answer touches before the window). Thresholds at the
/// false-alarm rate <see cref="Stats.FalseAlarmRate"/>.
/// <list type="bullet">
/// <item><b>rx_seasonality</b> — Σ rx_count per calendar month against Σ expected, variance Σ(E + E²·cv²).</item>
/// <item><b>rx_engagement_lift</b> — the same by band of the month's true lift factor, by band of the part of it carried
/// from earlier months and by segment (the lift's size by driver, its carryover, the segments' responsiveness), not only
/// its sign.</item>
/// <item><b>rx_distribution</b> — the counts' shape: each count's randomised probability integral transform under its
/// negative binomial (F(r − 1) + v·P(r), v uniform from a hash of the row id), uniform under the model; chi-square over 20
/// equal bins, on up to <see cref="PitRows"/> rows (the first by id: a random sample). Measured: the p-value.</item>
/// <item><b>rx_writers</b> — zero-inflation: the share of HCPs who write the brand at all (base_conversion_rate &gt; 0) per
/// segment against rx_writer_share (binomial), and no Rx from an HCP who does not write it.</item>
/// <item><b>rx_patient_volume</b> — the heavy tail: ln(patient_volume / (rx_baseline_multiplier × rx_specialty_volume)) is
/// normal with mean −s²/2 and variance s², s = rx_patient_volume_sigma (its mean and its variance, variance 2s⁴/(n − 1)).
/// Measured: the share of the Rx its top decile of prescribers writes.</item>
/// <item><b>product_consistency</b> — exact: every touch's product (email, key message, samples, ad), every sample
/// request's and every Rx row's brand is the HCP's specialty's (product_portfolio), launch touches and their sample
/// requests excepted.</item>
/// </list>
/// </summary>
internal static class PrescribingChecks
{
    public const string Category = FidelityChecks.Category;

    /// <summary>Rows whose randomised PIT is computed for rx_distribution (chi-square over 20 bins has ample power at this size).</summary>
    public const int PitRows = 100_000;

    private const int Bins = 20;

    private static readonly (string Name, string Description)[] Checks =
    [
        ("rx_seasonality", "Rx per calendar month against patient volume × conversion × the month's seasonality × the true lift, from ground_truth (the seasonality's test); measured: the largest share of its allowance a month uses."),
        ("rx_engagement_lift", "Rx by band of the true lift factor (touches and responses per channel and type with their monthly carryover) and by segment (its responsiveness), against ground_truth; measured: the largest share of its allowance a cell uses."),
        ("rx_distribution", "Shape of the Rx counts: randomised probability integral transform under the negative binomial of ground_truth (Poisson with gamma noise), chi-square over 20 bins; measured: p."),
        ("rx_writers", "Share of HCPs who write the brand at all per segment against rx_writer_share, and no Rx from a non-writer; measured: the largest share of its allowance a segment uses."),
        ("rx_patient_volume", "Patient volumes lognormal around the specialty's mean with log-sd rx_patient_volume_sigma (heavy-tailed prescribing); measured: the share of Rx written by the top decile of prescribers."),
        ("product_consistency", "Every touch, sample, sample request and Rx row names the HCP's specialty's brand (product_portfolio), launch touches excepted."),
    ];

    public static async Task RunAsync(CheckRun run, ValidationTruth? truth)
    {
        var missing = truth is null ? ["ground_truth"] : truth.MissingForRx();
        if (truth is null || missing.Count > 0)
        {
            foreach (var (name, description) in Checks)
            {
                run.Add(new CheckResult(name, Category, false, null, "ground truth present", description, ["ground_truth lacks " + string.Join(", ", missing)]));
            }
            return;
        }
        await RxAsync(run, truth);
        await TraitsAsync(run, truth);
        await ExactAsync(run, truth);
    }

    private static async Task RxAsync(CheckRun run, ValidationTruth truth)
    {
        var s = run.C.S;
        var k = truth.CarryoverMonths;
        var ws = run.C.Info.WindowStart;
        var settled = ws.AddDays((int)Math.Ceiling(truth.Window.Values.Max()));
        var countFrom = new DateOnly(settled.Year, settled.Month, 1);
        if (countFrom < settled)
        {
            countFrom = countFrom.AddMonths(1);
        }
        var observableFrom = countFrom.AddMonths(k);
        var rows = await run.TryQueryAsync(Checks[..3], Category, $"""
            WITH ev AS (
                SELECT hcp_id, date_trunc('month', event_date AT TIME ZONE 'UTC')::date AS m, 'touch' AS kind, channel AS name, count(*)::int AS c
                FROM {s}.stimuli_events WHERE delivery_status = 'delivered' AND event_date >= @countFrom GROUP BY 1, 2, 4
                UNION ALL
                SELECT hcp_id, date_trunc('month', event_date AT TIME ZONE 'UTC')::date, 'response', outcome_type, count(*)::int
                FROM {s}.outcome_events WHERE event_date >= @countFrom GROUP BY 1, 2, 4
            ),
            -- Per HCP and month: Σ lift × carryover^j × the driver's count j months before, rounded to 1e-12: a parallel plan
            -- sums in another order, and a sum exactly on a band's bound (0.02) fell on either side of it from run to run.
            stock AS (
                SELECT ev.hcp_id, (ev.m + make_interval(months => j))::date AS m, round(sum(d.lift * power(d.carry, j) * ev.c) * 1e12) / 1e12 AS loglift,
                       round(coalesce(sum(d.lift * power(d.carry, j) * ev.c) FILTER (WHERE j > 0), 0) * 1e12) / 1e12 AS carried
                FROM ev
                JOIN unnest(@kinds::text[], @names::text[], @lifts::float8[], @carry::float8[]) AS d(kind, name, lift, carry) ON d.kind = ev.kind AND d.name = ev.name
                CROSS JOIN generate_series(0, @k) AS j
                GROUP BY 1, 2
            ),
            x AS MATERIALIZED (
                SELECT r.id, r.rx_count, extract(month FROM r.month AT TIME ZONE 'UTC')::int AS month_of_year, p.segment,
                       @sigma0 + @sigmaV * p.engagement_volatility AS cv, exp(seg.mult * coalesce(st.loglift, 0)) AS lift,
                       seg.mult * coalesce(st.carried, 0) AS carried,
                       p.patient_volume * p.base_conversion_rate * season.value * exp(seg.mult * coalesce(st.loglift, 0)) AS expected
                FROM {s}.prescribing_history r
                JOIN {s}.hcp_profiles p ON p.id = r.hcp_id
                JOIN unnest(@segments::text[], @segmentLift::float8[]) AS seg(segment, mult) ON seg.segment = p.segment
                JOIN unnest(@months::int[], @seasonality::float8[]) AS season(month, value) ON season.month = extract(month FROM r.month AT TIME ZONE 'UTC')::int
                LEFT JOIN stock st ON st.hcp_id = r.hcp_id AND st.m = (r.month AT TIME ZONE 'UTC')::date
                WHERE r.month >= @observableFrom
            )
            -- The four tallies in one pass over x (hashed, so each group sums its rows in x's order, as the separate GROUP BYs did).
            SELECT CASE WHEN GROUPING(month_key) = 0 THEN 'month' WHEN GROUPING(lift_band) = 0 THEN 'lift' WHEN GROUPING(carried_band) = 0 THEN 'carried' ELSE 'segment' END,
                   coalesce(month_key, lift_band, carried_band, segment), count(*), sum(rx_count)::float8, sum(expected), sum(expected + expected * expected * cv * cv)
            FROM (SELECT lpad(month_of_year::text, 2, '0') AS month_key,
                         CASE WHEN lift < 1.02 THEN 'lift below 1.02' WHEN lift < 1.05 THEN 'lift 1.02-1.05' WHEN lift < 1.10 THEN 'lift 1.05-1.10'
                              WHEN lift < 1.20 THEN 'lift 1.10-1.20' ELSE 'lift 1.20 or more' END AS lift_band,
                         CASE WHEN carried < 0.02 THEN 'carried from earlier months: log-lift below 0.02'
                              WHEN carried < 0.05 THEN 'carried from earlier months: log-lift 0.02-0.05' ELSE 'carried from earlier months: log-lift 0.05 or more' END AS carried_band,
                         segment, rx_count, expected, cv
                  FROM x WHERE expected > 0) g
            GROUP BY GROUPING SETS ((month_key), (lift_band), (carried_band), (segment))
            UNION ALL
            SELECT 'row', ('x' || substr(md5(id::text), 1, 13))::bit(52)::bigint::text, rx_count, expected, cv, 0
            FROM (SELECT * FROM x WHERE expected > 0 ORDER BY id LIMIT @pitRows) sample
            """, r => (Kind: r.GetString(0), Key: r.GetString(1), N: r.GetInt64(2), A: r.GetDouble(3), B: r.GetDouble(4), C: r.GetDouble(5)),
            p =>
            {
                p.AddWithValue("countFrom", countFrom.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                p.AddWithValue("observableFrom", observableFrom.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                p.AddWithValue("k", k);
                p.AddWithValue("kinds", truth.RxDrivers.Select(d => d.Kind).ToArray());
                p.AddWithValue("names", truth.RxDrivers.Select(d => d.Name).ToArray());
                p.AddWithValue("lifts", truth.RxDrivers.Select(d => d.LogLift).ToArray());
                p.AddWithValue("carry", truth.RxDrivers.Select(d => d.Carryover).ToArray());
                p.AddWithValue("sigma0", truth.Scalar("rx_noise_sigma"));
                p.AddWithValue("sigmaV", truth.Scalar("rx_noise_sigma_per_volatility"));
                p.AddWithValue("segments", truth.SegmentLift.Keys.ToArray());
                p.AddWithValue("segmentLift", truth.SegmentLift.Values.ToArray());
                p.AddWithValue("months", truth.Seasonality.Keys.ToArray());
                p.AddWithValue("seasonality", truth.Seasonality.Values.ToArray());
                p.AddWithValue("pitRows", PitRows);
            });
        if (rows is null)
        {
            return;
        }
        var window = F($"Rows: months from {observableFrom:yyyy-MM-dd}.");
        Cell ToCell(string label, (string Kind, string Key, long N, double A, double B, double C) r) => new(label, r.A, r.B, r.C, 0, r.B);
        run.Add(CellResults.From("rx_seasonality", Category, Checks[0].Description + " " + window,
            rows.Where(r => r.Kind == "month").OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => ToCell("month " + r.Key, r)).ToList()));
        run.Add(CellResults.From("rx_engagement_lift", Category, Checks[1].Description + " " + window,
            rows.Where(r => r.Kind is "lift" or "carried").OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => ToCell(r.Key, r))
                .Concat(rows.Where(r => r.Kind == "segment").OrderBy(r => r.Key, StringComparer.Ordinal)
                    .Select(r => ToCell(F($"{r.Key} (lift multiplier {truth.SegmentLift.GetValueOrDefault(r.Key):0.##})"), r))).ToList()));

        var counts = new long[Bins];
        foreach (var r in rows.Where(r => r.Kind == "row"))
        {
            var v = long.Parse(r.Key, CultureInfo.InvariantCulture) / 4503599627370496.0;
            var u = Pit((int)r.N, r.A, r.B, v);
            counts[Math.Clamp((int)Math.Floor(u * Bins), 0, Bins - 1)]++;
        }
        var n = counts.Sum();
        if (n < Stats.MinExpectedPerCell * Bins)
        {
            run.Add(new CheckResult("rx_distribution", Category, true, null, F($"informational: {n} Rx rows from {observableFrom:yyyy-MM-dd}, needs {Stats.MinExpectedPerCell * Bins:0}"), Checks[2].Description, []));
            return;
        }
        var observed = Enumerable.Range(0, Bins).ToDictionary(i => i.ToString("00", CultureInfo.InvariantCulture), i => counts[i], StringComparer.Ordinal);
        var fit = Stats.ChiSquareGoodnessOfFit(observed.Keys.ToDictionary(key => key, _ => 1.0 / Bins, StringComparer.Ordinal), observed);
        run.Add(new CheckResult("rx_distribution", Category, fit.Passes(), Math.Round(fit.P, 6),
            F($"chi-square p ≥ {Stats.FalseAlarmRate} over {Bins} equal bins (n = {n:N0})"), Checks[2].Description + " " + window,
            fit.Cells.OrderByDescending(c => Math.Abs(c.Observed - c.Expected)).Take(DatasetValidator.ExampleCount)
                .Select(c => F($"bin {c.Key}: {c.Observed:0} observed, {c.Expected:0.#} expected")).ToList()));
    }

    /// <summary>
    /// The randomised probability integral transform of count <paramref name="r"/> under a negative binomial of mean
    /// <paramref name="mean"/> and size 1/cv² (Poisson around mean × gamma of mean 1 and coefficient of variation cv):
    /// F(r − 1) + v·P(r), the probabilities summed in log space.
    /// </summary>
    internal static double Pit(int r, double mean, double cv, double v)
    {
        var size = 1 / (cv * cv);
        var logRatio = Math.Log(mean / (size + mean));
        var logP = size * Math.Log(size / (size + mean));
        var below = 0.0;
        for (var x = 0; x < r; x++)
        {
            below += Math.Exp(logP);
            logP += Math.Log((x + size) / (x + 1)) + logRatio;
        }
        return Math.Min(1, below + v * Math.Exp(logP));
    }

    private static async Task TraitsAsync(CheckRun run, ValidationTruth truth)
    {
        var s = run.C.S;
        var rows = await run.TryQueryAsync(Checks[3..5], Category, $"""
            SELECT 'segment', segment, count(*)::float8, count(*) FILTER (WHERE base_conversion_rate > 0)::float8
            FROM {s}.hcp_profiles WHERE NOT is_fixture GROUP BY segment
            UNION ALL
            SELECT 'non-writer rx', '', count(*)::float8, coalesce(sum(r.rx_count), 0)::float8
            FROM {s}.prescribing_history r JOIN {s}.hcp_profiles p ON p.id = r.hcp_id WHERE p.base_conversion_rate = 0 AND r.rx_count > 0
            UNION ALL
            SELECT 'log volume', '', count(*)::float8, coalesce(sum(l), 0)
            FROM (SELECT ln(p.patient_volume / (@multiplier * coalesce(v.volume, 1))) AS l FROM {s}.hcp_profiles p
                  LEFT JOIN unnest(@specialties::text[], @volumes::float8[]) AS v(specialty, volume) ON v.specialty = p.specialty
                  WHERE NOT p.is_fixture AND p.patient_volume > 0) q
            UNION ALL
            SELECT 'log volume squares', '', count(*)::float8, coalesce(sum((l - m) * (l - m)), 0)
            FROM (SELECT ln(p.patient_volume / (@multiplier * coalesce(v.volume, 1))) AS l, avg(ln(p.patient_volume / (@multiplier * coalesce(v.volume, 1)))) OVER () AS m
                  FROM {s}.hcp_profiles p
                  LEFT JOIN unnest(@specialties::text[], @volumes::float8[]) AS v(specialty, volume) ON v.specialty = p.specialty
                  WHERE NOT p.is_fixture AND p.patient_volume > 0) q
            UNION ALL
            SELECT 'top decile', '', coalesce(sum(total) FILTER (WHERE decile = 1), 0)::float8, coalesce(sum(total), 0)::float8
            FROM (SELECT total, ntile(10) OVER (ORDER BY total DESC) AS decile
                  FROM (SELECT hcp_id, sum(rx_count) AS total FROM {s}.prescribing_history GROUP BY hcp_id) t) d
            """, r => (Kind: r.GetString(0), Key: r.GetString(1), A: r.GetDouble(2), B: r.GetDouble(3)),
            p =>
            {
                p.AddWithValue("multiplier", truth.Scalar("rx_baseline_multiplier"));
                p.AddWithValue("specialties", truth.SpecialtyVolume.Keys.ToArray());
                p.AddWithValue("volumes", truth.SpecialtyVolume.Values.ToArray());
            });
        if (rows is null)
        {
            return;
        }
        var writers = CellResults.From("rx_writers", Category, Checks[3].Description,
            rows.Where(r => r.Kind == "segment").OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
            {
                var share = truth.WriterShare.GetValueOrDefault(r.Key);
                return new Cell(F($"{r.Key} writers (share {share:0.##})"), r.B, r.A * share, r.A * share * (1 - share), 0, r.A * Math.Min(share, 1 - share));
            }).ToList());
        var leaking = rows.FirstOrDefault(r => r.Kind == "non-writer rx");
        if (leaking.A > 0)
        {
            writers = writers with { Passed = false, Examples = [F($"{leaking.A:0} Rx rows ({leaking.B:0} scripts) of HCPs who do not write the brand"), .. writers.Examples] };
        }
        run.Add(writers);

        var sigma = truth.Scalar("rx_patient_volume_sigma");
        var sum = rows.FirstOrDefault(r => r.Kind == "log volume");
        var squares = rows.FirstOrDefault(r => r.Kind == "log volume squares");
        var top = rows.FirstOrDefault(r => r.Kind == "top decile");
        var hcps = sum.A;
        var cells = hcps < 2 ? [] : new List<Cell>
        {
            new("mean of ln(patient volume / its specialty's mean)", sum.B / hcps, -sigma * sigma / 2, sigma * sigma / hcps, 0, hcps),
            new("variance of ln(patient volume / its specialty's mean)", squares.B / (hcps - 1), sigma * sigma, 2 * Math.Pow(sigma, 4) / (hcps - 1), 0, hcps),
        };
        var concentration = top.B > 0 ? Math.Round(top.A / top.B, 4) : (double?)null;
        run.Add(CellResults.From("rx_patient_volume", Category, Checks[4].Description, cells, concentration));
    }

    private static async Task ExactAsync(CheckRun run, ValidationTruth truth)
    {
        var s = run.C.S;
        var specialties = truth.ProductBySpecialty.Keys.ToArray();
        var rows = await run.TryQueryAsync(Checks[5..], Category, $"""
            WITH brand AS (
                SELECT p.id, p.npi, b.product FROM {s}.hcp_profiles p
                JOIN unnest(@specialties::text[], @products::text[]) AS b(specialty, product) ON b.specialty = p.specialty
            )
            (SELECT 'product', 'touch ' || s.id::text, b.npi || ' ' || s.channel || ': ' || coalesce(s.metadata->>'product', s.metadata->'key_messages'->0->>'product', s.metadata->'samples'->0->>'product') || ', brand ' || b.product
             FROM {s}.stimuli_events s JOIN brand b ON b.id = s.hcp_id
             WHERE NOT s.metadata ? 'launch_product'
               AND (s.metadata->>'product' <> b.product OR s.metadata->'key_messages'->0->>'product' <> b.product OR s.metadata->'samples'->0->>'product' <> b.product)
             LIMIT 20)
            UNION ALL
            (SELECT 'product', 'sample request ' || o.id::text, b.npi || ': ' || (o.metadata->>'product') || ', brand ' || b.product
             FROM {s}.outcome_events o JOIN {s}.stimuli_events s ON s.id = o.stimulus_id JOIN brand b ON b.id = s.hcp_id
             WHERE o.outcome_type = 'sample_request' AND NOT s.metadata ? 'launch_product' AND o.metadata->>'product' <> b.product
             LIMIT 20)
            UNION ALL
            (SELECT 'product', 'rx ' || r.id::text, b.npi || ': ' || r.product_mix::text || ', brand ' || b.product
             FROM {s}.prescribing_history r JOIN brand b ON b.id = r.hcp_id WHERE NOT r.product_mix ? b.product LIMIT 20)
            """, r => (Kind: r.GetString(0), Id: r.GetString(1), What: r.GetString(2)),
            p =>
            {
                p.AddWithValue("specialties", specialties);
                p.AddWithValue("products", specialties.Select(x => truth.ProductBySpecialty[x]).ToArray());
            });
        if (rows is null)
        {
            return;
        }
        var products = rows.Where(r => r.Kind == "product").ToList();
        var noPortfolio = truth.ProductBySpecialty.Count == 0;
        run.Add(new CheckResult("product_consistency", Category, products.Count == 0 && !noPortfolio, products.Count, "every product the HCP's brand (examples: up to 20 of each kind)",
            Checks[5].Description, noPortfolio ? ["ground_truth lacks product_portfolio"] : products.Take(DatasetValidator.ExampleCount).Select(r => $"{r.Id}: {r.What}").ToList()));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
