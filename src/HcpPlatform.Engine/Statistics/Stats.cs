namespace HcpPlatform.Engine.Statistics;

/// <summary>
/// The few statistics the engine's tests and the dataset validator judge generated data with, in one place. Pure
/// functions, no I/O. Every bound here is a function of the sample size and a false-alarm rate: a correct dataset
/// fails a check built on it with probability at most that rate, whatever the seed or scale, while a wrong generator
/// fails it as soon as the data can tell.
/// </summary>
public static class Stats
{
    /// <summary>
    /// The false-alarm rate every statistical check is held to (per check; a check testing several cells splits it
    /// between them). 1e-4: a correct dataset fails a given check about once in ten thousand seeds.
    /// </summary>
    public const double FalseAlarmRate = 1e-4;

    /// <summary>Cells expecting fewer events than this are too small for the normal and chi-square approximations: they are pooled or reported, not tested.</summary>
    public const double MinExpectedPerCell = 5;

    // ------------------------------------------------------------------ normal distribution

    /// <summary>P(Z &gt; z) for a standard normal Z, accurate in the far tail (relative error below 1.2e-7).</summary>
    public static double NormalUpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>P(Z ≤ z) for a standard normal Z.</summary>
    public static double NormalCdf(double z) => 1 - NormalUpperTail(z);

    /// <summary>The z with P(Z ≤ z) = p (Acklam's rational approximation, refined by one Halley step: below 1e-12 absolute).</summary>
    public static double NormalQuantile(double p)
    {
        if (p is <= 0 or >= 1 || double.IsNaN(p))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "must lie strictly between 0 and 1");
        }
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p <= 1 - low)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        // One Halley step on Φ(x) − p.
        var e = NormalCdf(x) - p;
        var u = e * Math.Sqrt(2 * Math.PI) * Math.Exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /// <summary>
    /// The |z| a two-sided test at <paramref name="alpha"/> rejects beyond, with alpha split evenly over
    /// <paramref name="tests"/> cells (Bonferroni: the check as a whole keeps its false-alarm rate). 3.89 for one cell at 1e-4.
    /// </summary>
    public static double ZCritical(double alpha = FalseAlarmRate, int tests = 1) =>
        NormalQuantile(1 - alpha / (2 * Math.Max(1, tests)));

    /// <summary>The z of a one-sided test at <paramref name="alpha"/> (3.72 at 1e-4).</summary>
    public static double ZCriticalOneSided(double alpha = FalseAlarmRate, int tests = 1) =>
        NormalQuantile(1 - alpha / Math.Max(1, tests));

    /// <summary>(observed − expected) / √variance; 0 when both agree exactly, ±∞ when a zero-variance expectation is missed.</summary>
    public static double Z(double observed, double expected, double variance) =>
        variance > 0 ? (observed - expected) / Math.Sqrt(variance)
        : observed == expected ? 0 : observed > expected ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>erfc(x) (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7 everywhere).</summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    // ------------------------------------------------------------------ chi-square

    /// <summary>P(χ²(df) ≥ x): the regularised upper incomplete gamma Q(df/2, x/2).</summary>
    public static double ChiSquareUpperTail(double x, int df) => df <= 0 ? 1 : UpperRegularizedGamma(df / 2.0, x / 2.0);

    /// <summary>
    /// Pearson's goodness of fit of observed category counts to expected shares. Categories expecting fewer than
    /// <paramref name="minExpected"/> are pooled into one cell (and named in <see cref="GoodnessOfFit.Pooled"/>), so the
    /// chi-square approximation holds; a category that should never occur but does makes p = 0.
    /// </summary>
    public static GoodnessOfFit ChiSquareGoodnessOfFit(IReadOnlyDictionary<string, double> expectedShares, IReadOnlyDictionary<string, long> observed,
        double minExpected = MinExpectedPerCell)
    {
        var n = observed.Values.Sum();
        var total = expectedShares.Values.Sum();
        var keys = expectedShares.Keys.Union(observed.Keys).Order(StringComparer.Ordinal).ToList();
        var cells = keys.Select(k => (Key: k, Expected: total > 0 ? n * expectedShares.GetValueOrDefault(k) / total : 0, Observed: (double)observed.GetValueOrDefault(k))).ToList();
        var tv = n == 0 ? 1 : 1 - 0.5 * cells.Sum(c => Math.Abs(c.Expected - c.Observed)) / n;
        var impossible = cells.Where(c => c.Expected <= 0 && c.Observed > 0).Select(c => c.Key).ToList();
        var small = cells.Where(c => c.Expected > 0 && c.Expected < minExpected).ToList();
        var tested = cells.Where(c => c.Expected >= minExpected).ToList();
        if (small.Count > 0)
        {
            var pooled = (Key: "(pooled)", Expected: small.Sum(c => c.Expected), Observed: small.Sum(c => c.Observed));
            if (pooled.Expected >= minExpected || tested.Count == 0)
            {
                tested.Add(pooled);
            }
            else
            {
                // Too small even pooled: fold into the smallest tested cell.
                var i = tested.Select((c, j) => (c, j)).MinBy(x => x.c.Expected).j;
                tested[i] = (tested[i].Key + "+(pooled)", tested[i].Expected + pooled.Expected, tested[i].Observed + pooled.Observed);
            }
        }
        var statistic = tested.Where(c => c.Expected > 0).Sum(c => (c.Observed - c.Expected) * (c.Observed - c.Expected) / c.Expected);
        var df = tested.Count(c => c.Expected > 0) - 1;
        var p = impossible.Count > 0 ? 0 : ChiSquareUpperTail(statistic, df);
        return new GoodnessOfFit(n, statistic, df, p, tv, small.Select(c => c.Key).ToList(), impossible,
            cells.Select(c => new CellFit(c.Key, c.Expected, c.Observed)).ToList());
    }

    /// <summary>Q(a, x) by its series (x &lt; a + 1) or continued fraction (Numerical Recipes, gammq).</summary>
    public static double UpperRegularizedGamma(double a, double x)
    {
        if (x <= 0)
        {
            return 1;
        }
        var lnGammaA = LogGamma(a);
        if (x < a + 1)
        {
            double sum = 1 / a, term = sum;
            for (var k = 1; k < 1000 && Math.Abs(term) > Math.Abs(sum) * 1e-15; k++)
            {
                term *= x / (a + k);
                sum += term;
            }
            return Math.Max(0, 1 - sum * Math.Exp(-x + a * Math.Log(x) - lnGammaA));
        }
        double b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
        for (var i = 1; i < 1000; i++)
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
    public static double LogGamma(double z)
    {
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (z < 0.5)
        {
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * z))) - LogGamma(1 - z);
        }
        z -= 1;
        var x = g[0];
        for (var i = 1; i < 9; i++)
        {
            x += g[i] / (z + i);
        }
        var t = z + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (z + 0.5) * Math.Log(t) - t + Math.Log(x);
    }

    // ------------------------------------------------------------------ counts

    /// <summary>
    /// (P(X ≤ r − 1), P(X ≤ r)) for X Poisson with a gamma-distributed mean (the negative binomial): mean
    /// <paramref name="mean"/>, the gamma's shape <paramref name="shape"/> (its coefficient of variation is 1/√shape). Summed
    /// term by term in log space (pmf(j + 1) = pmf(j) · (j + shape)/(j + 1) · mean/(mean + shape)), so no term underflows the sum.
    /// </summary>
    public static (double Below, double UpTo) NegativeBinomialCdfPair(int r, double mean, double shape)
    {
        if (r < 0)
        {
            return (0, 0);
        }
        if (!(mean > 0))
        {
            return (0, 1);
        }
        var logQ = Math.Log(mean / (mean + shape));
        var logPmf = shape * Math.Log(shape / (mean + shape));
        var below = 0.0;
        for (var j = 0; j < r; j++)
        {
            below += Math.Exp(logPmf);
            logPmf += Math.Log((j + shape) / (j + 1)) + logQ;
        }
        var upTo = Math.Min(1, below + Math.Exp(logPmf));
        return (Math.Min(below, upTo), upTo);
    }

    // ------------------------------------------------------------------ Kolmogorov–Smirnov

    /// <summary>
    /// The distance D = sup |F̂ₙ − F| beyond which a sample of n is rejected at <paramref name="alpha"/>: the
    /// Dvoretzky–Kiefer–Wolfowitz bound with Massart's constant, P(D &gt; ε) ≤ 2 exp(−2nε²), valid for every n
    /// (0.00995 at n = 50,000 and 1e-4).
    /// </summary>
    public static double KsCritical(long n, double alpha = FalseAlarmRate) =>
        n <= 0 ? 1 : Math.Sqrt(Math.Log(2 / alpha) / (2.0 * n));

    /// <summary>D of a sample against the uniform distribution on [0, 1] (the sample is sorted in place).</summary>
    public static double KsDistanceFromUniform(double[] sample)
    {
        Array.Sort(sample);
        var n = sample.Length;
        var d = 0.0;
        for (var i = 0; i < n; i++)
        {
            var u = Math.Clamp(sample[i], 0, 1);
            d = Math.Max(d, Math.Max((i + 1.0) / n - u, u - (double)i / n));
        }
        return d;
    }

    // ------------------------------------------------------------------ counts against an approximate expectation

    /// <summary>
    /// Whether an observed total agrees with its expectation: |observed − expected| ≤ z·√variance + margin·|expected|,
    /// z from <see cref="ZCritical"/>. The margin (a relative tolerance) is for expectations that are only approximate
    /// — the configured target a mechanism lands near, not a probability the engine draws with — and is zero otherwise;
    /// every use names why its margin is what it is.
    /// </summary>
    public static bool Agrees(double observed, double expected, double variance, double margin = 0, double alpha = FalseAlarmRate, int tests = 1) =>
        Math.Abs(observed - expected) <= Allowance(expected, variance, margin, alpha, tests);

    /// <summary>The largest |observed − expected| <see cref="Agrees"/> accepts.</summary>
    public static double Allowance(double expected, double variance, double margin = 0, double alpha = FalseAlarmRate, int tests = 1) =>
        ZCritical(alpha, tests) * Math.Sqrt(Math.Max(0, variance)) + margin * Math.Abs(expected);

    /// <summary>
    /// Judges a check made of cells: every cell resting on at least <see cref="MinExpectedPerCell"/> events is tested with
    /// <see cref="Agrees"/>, the false-alarm rate split evenly over the tested cells; smaller cells are reported, not
    /// tested (and not dropped). A check with no testable cell passes as informational.
    /// </summary>
    public static CellVerdict JudgeCells(IReadOnlyList<Cell> cells, double alpha = FalseAlarmRate)
    {
        var tested = cells.Where(c => c.Events >= MinExpectedPerCell).ToList();
        var scored = tested
            .Select(c => new ScoredCell(c, Math.Abs(c.Observed - c.Expected) / Allowance(c.Expected, c.Variance, c.Margin, alpha, tested.Count)))
            .OrderByDescending(x => double.IsNaN(x.Ratio) ? double.PositiveInfinity : x.Ratio).ToList();
        return new CellVerdict(scored.All(x => x.Ratio <= 1), scored, cells.Where(c => c.Events < MinExpectedPerCell).ToList());
    }
}

/// <summary>
/// One cell of a statistical check: an observed total against its expectation under the stated model, the variance of the
/// observed total under that model, a relative margin (zero where the expectation is exact) and how many events the cell
/// rests on (a cell expecting fewer than <see cref="Stats.MinExpectedPerCell"/> is reported, not tested).
/// </summary>
public readonly record struct Cell(string Label, double Observed, double Expected, double Variance, double Margin = 0, double Events = double.PositiveInfinity);

/// <summary>A tested cell and how much of its allowance its deviation uses (above 1: outside it).</summary>
public readonly record struct ScoredCell(Cell Cell, double Ratio);

/// <summary>The verdict of <see cref="Stats.JudgeCells"/>: the tested cells, worst first, and those too small to test.</summary>
public sealed record CellVerdict(bool Passed, IReadOnlyList<ScoredCell> Tested, IReadOnlyList<Cell> TooSmall)
{
    public double WorstRatio => Tested.Count == 0 ? 0 : Tested[0].Ratio;
}

/// <summary>
/// A share (part / total) pooled over independent units — HCPs, whose own parts and totals vary — kept as the five sums
/// its variance needs, so it can be accumulated in C# or read from one SQL aggregate. The variance is the ratio
/// estimator's sandwich variance Σ(partᵢ − s·totalᵢ)² / (Σ totalᵢ)² under the share s being tested: it holds whatever
/// makes units differ (their traits, their own draws), because units are independent of one another.
/// </summary>
public readonly record struct ShareSums(long Units, double Part, double Total, double PartSquared, double PartTotal, double TotalSquared)
{
    public ShareSums Add(double part, double total) =>
        new(Units + 1, Part + part, Total + total, PartSquared + part * part, PartTotal + part * total, TotalSquared + total * total);

    public double Share => Total > 0 ? Part / Total : 0;

    /// <summary>
    /// Variance of <see cref="Share"/> if the true share is <paramref name="share"/>. The parts are first scaled by λ = s·Σtotal
    /// / Σpart, to what they would be under that share (their spread over units kept): otherwise a rare part observed far
    /// below its expectation (a few HCPs' conference touches) would understate its own variance. With no part at all, the
    /// count's variance is taken as its expectation (Poisson).
    /// </summary>
    public double VarianceAt(double share)
    {
        if (Total <= 0)
        {
            return 0;
        }
        if (Part <= 0)
        {
            return share / Total;
        }
        var lambda = share * Total / Part;
        return Math.Max(0, lambda * lambda * PartSquared - 2 * lambda * share * PartTotal + share * share * TotalSquared) / (Total * Total);
    }
}

/// <summary>One category of a goodness-of-fit test: how many were expected and observed.</summary>
public sealed record CellFit(string Key, double Expected, double Observed);

/// <summary>
/// The result of <see cref="Stats.ChiSquareGoodnessOfFit"/>: sample size, statistic, degrees of freedom, p-value, the
/// SDMetrics TVComplement score (1 − ½ Σ |expected − observed share|), the categories pooled for being too small, and
/// those that occurred though they never should.
/// </summary>
public sealed record GoodnessOfFit(long N, double Statistic, int DegreesOfFreedom, double P, double TvComplement,
    IReadOnlyList<string> Pooled, IReadOnlyList<string> Impossible, IReadOnlyList<CellFit> Cells)
{
    public bool Passes(double alpha = Stats.FalseAlarmRate) => N > 0 && P >= alpha;
}
