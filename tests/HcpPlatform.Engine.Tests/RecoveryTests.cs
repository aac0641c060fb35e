using System.Globalization;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Statistics;
using HcpPlatform.Engine.Tests.Statistics;
using Xunit.Abstractions;

namespace HcpPlatform.Engine.Tests;

/// <summary>
/// The ground truth is recoverable: the response modifiers and the Rx lifts, fitted back from the development-scale dataset
/// by maximum likelihood (what an analyst scoring a model would do, knowing only the data and the stated model's form), land
/// within their confidence intervals of the values the ground truth states. Intervals at the false-alarm rate of the
/// statistical checks (1e-4), split over the parameters of each fit.
/// </summary>
[Collection(DevelopmentScaleGroup.Name)]
public sealed class RecoveryTests(DevelopmentScaleFixture f, ITestOutputHelper output)
{
    [Fact]
    public void Response_modifiers_fitted_back_by_logistic_regression_land_within_their_intervals()
    {
        var t = new TruthTables(f.Data.Truth);
        var checks = new StatisticalChecks(f.Data);
        var baseRate = t.Rates.ToDictionary(r => (r.Stimulus, r.Outcome), r => r.BaseRate);
        string[] names =
        [
            "tier 1 log-odds", "tier 3 log-odds", "affinity log-odds", "fatigue log-odds per touch", "content match log-odds",
            "Detail with Sample (sample request)", "Group Detail (sample request)", "Sample Only (sample request)",
            "Positive reaction (meeting)", "Negative reaction (meeting)",
        ];
        double[] truth =
        [
            Math.Log(t.TierOdds["Tier 1"] / t.TierOdds["Tier 2"]), Math.Log(t.TierOdds["Tier 3"] / t.TierOdds["Tier 2"]), t.AffinityLogOdds,
            -t.FatigueLogOdds, Math.Log(t.ContentMatchOdds),
            Math.Log(t.CallTypeOdds["Detail with Sample"] / t.CallTypeOdds["Detail Only"]), Math.Log(t.CallTypeOdds["Group Detail"] / t.CallTypeOdds["Detail Only"]),
            Math.Log(t.CallTypeOdds["Sample Only"] / t.CallTypeOdds["Detail Only"]),
            Math.Log(t.ReactionOdds["Positive"] / t.ReactionOdds["Neutral"]), Math.Log(t.ReactionOdds["Negative"] / t.ReactionOdds["Neutral"]),
        ];
        var rows = new List<(double[] X, double Offset, bool Y)>();
        foreach (var c in checks.Chances())
        {
            // Delivered touches only (the others never respond), and a click only among opened emails: P(click | open).
            if (!c.Delivered || (c.OpenP is not null && c.Opened != true))
            {
                continue;
            }
            var tier = SimulationConfig.Tiers[f.Population.Traits[c.Hcp].Tier];
            var x = new double[names.Length];
            x[0] = tier == "Tier 1" ? 1 : 0;
            x[1] = tier == "Tier 3" ? 1 : 0;
            x[2] = c.Affinity - 0.5;
            x[3] = c.Ordinal;
            x[4] = c.Match ? 1 : 0;
            if (c.Outcome == "sample_request" && c.CallType is not null)
            {
                x[5] = c.CallType == "Detail with Sample" ? 1 : 0;
                x[6] = c.CallType == "Group Detail" ? 1 : 0;
                x[7] = c.CallType == "Sample Only" ? 1 : 0;
            }
            if (c.Outcome == "meeting_scheduled" && c.Reaction is not null)
            {
                x[8] = c.Reaction == "Positive" ? 1 : 0;
                x[9] = c.Reaction == "Negative" ? 1 : 0;
            }
            // The offset: the base rate's log-odds at the reference touch (Tier 2, Detail Only, Neutral) and the response scale.
            var offset = TruthTables.Logit(baseRate[(c.Stimulus, c.Outcome)]) + Math.Log(t.TierOdds["Tier 2"]) + Math.Log(t.ScaleOdds)
                + (c.Outcome == "sample_request" && c.CallType is not null ? Math.Log(t.CallTypeOdds["Detail Only"]) : 0)
                + (c.Outcome == "meeting_scheduled" && c.Reaction is not null ? Math.Log(t.ReactionOdds["Neutral"]) : 0);
            rows.Add((x, offset, c.Happened));
        }
        var (beta, se) = Fit(names.Length, rows.Count, i => rows[i].X, i => rows[i].Offset, (eta, i) =>
        {
            var p = 1 / (1 + Math.Exp(-eta));
            return ((rows[i].Y ? 1 : 0) - p, p * (1 - p));
        });
        AssertWithin(names, truth, beta, se, rows.Count);
    }

    [Fact]
    public void Rx_lifts_fitted_back_by_negative_binomial_regression_land_within_their_intervals()
    {
        var t = new TruthTables(f.Data.Truth);
        var checks = new StatisticalChecks(f.Data);
        var drivers = t.Drivers;
        // log E[rx] = ln(patient volume × conversion × seasonality) + Σ_d lift_d × stock_d, stock_d the driver's adstock (its
        // stated carryover) × the segment's responsiveness; the noise's variance μ + μ²·cv² as stated (negative binomial).
        var rows = checks.RxRows().Where(r => r.Expected > 0).ToList();
        var fitted = Enumerable.Range(0, drivers.Count).Where(d => drivers[d].Lift != 0 || rows.Any(r => r.Stocks[d] > 0)).ToArray();
        var names = fitted.Select(d => $"{drivers[d].Kind} {drivers[d].Name} log-lift").ToArray();
        var truth = fitted.Select(d => drivers[d].Lift).ToArray();
        var offsets = rows.Select(r => Math.Log(r.Expected) - r.LogLift).ToArray();
        var (beta, se) = Fit(fitted.Length, rows.Count, i => fitted.Select(d => rows[i].Stocks[d]).ToArray(), i => offsets[i], (eta, i) =>
        {
            var mu = Math.Exp(eta);
            var variance = mu + mu * mu * rows[i].Cv * rows[i].Cv;
            // Score and information of a log-link GLM with this variance: (y − μ)·μ / V and μ² / V.
            return ((rows[i].Observed - mu) * mu / variance, mu * mu / variance);
        });
        AssertWithin(names, truth, beta, se, rows.Count);
        // The fit has power: the whole stated lift of a typical writing HCP-month is told apart from none.
        var repVisit = Array.FindIndex(names, n => n == "touch rep_visit log-lift");
        var z = Stats.ZCritical(Stats.FalseAlarmRate, names.Length);
        Assert.True(beta[repVisit] - z * se[repVisit] > 0, $"rep visits' lift {beta[repVisit]:0.####} ± {z * se[repVisit]:0.####} not told apart from none");
    }

    /// <summary>
    /// Newton–Raphson (Fisher scoring) for a GLM with an offset: <paramref name="scoreAndWeight"/> gives, at linear predictor
    /// η for row i, the row's score contribution factor and its information weight. Returns the estimates and their
    /// standard errors from the inverse information.
    /// </summary>
    private static (double[] Beta, double[] Se) Fit(int k, int n, Func<int, double[]> x, Func<int, double> offset, Func<double, int, (double Score, double Weight)> scoreAndWeight)
    {
        var beta = new double[k];
        var info = new double[k, k];
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var score = new double[k];
            info = new double[k, k];
            for (var i = 0; i < n; i++)
            {
                var xi = x(i);
                var eta = offset(i);
                for (var j = 0; j < k; j++)
                {
                    eta += beta[j] * xi[j];
                }
                var (u, w) = scoreAndWeight(eta, i);
                for (var j = 0; j < k; j++)
                {
                    if (xi[j] == 0)
                    {
                        continue;
                    }
                    score[j] += u * xi[j];
                    for (var l = 0; l < k; l++)
                    {
                        info[j, l] += w * xi[j] * xi[l];
                    }
                }
            }
            var step = Solve(info, score);
            var largest = 0.0;
            for (var j = 0; j < k; j++)
            {
                beta[j] += step[j];
                largest = Math.Max(largest, Math.Abs(step[j]));
            }
            if (largest < 1e-10)
            {
                break;
            }
        }
        var se = new double[k];
        for (var j = 0; j < k; j++)
        {
            var unit = new double[k];
            unit[j] = 1;
            se[j] = Math.Sqrt(Solve(info, unit)[j]);
        }
        return (beta, se);
    }

    /// <summary>Solves A·x = b by Gaussian elimination with partial pivoting (A is small and positive definite).</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        var k = b.Length;
        var m = new double[k, k + 1];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                m[i, j] = a[i, j];
            }
            m[i, k] = b[i];
        }
        for (var c = 0; c < k; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < k; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }
            for (var j = 0; j <= k; j++)
            {
                (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            }
            for (var r = 0; r < k; r++)
            {
                if (r == c)
                {
                    continue;
                }
                var factor = m[r, c] / m[c, c];
                for (var j = c; j <= k; j++)
                {
                    m[r, j] -= factor * m[c, j];
                }
            }
        }
        return Enumerable.Range(0, k).Select(i => m[i, k] / m[i, i]).ToArray();
    }

    private void AssertWithin(string[] names, double[] truth, double[] beta, double[] se, int n)
    {
        var z = Stats.ZCritical(Stats.FalseAlarmRate, names.Length);
        var lines = names.Select((name, j) => string.Create(CultureInfo.InvariantCulture,
            $"{name}: fitted {beta[j]:0.####} ± {z * se[j]:0.####}, stated {truth[j]:0.####}{(Math.Abs(beta[j] - truth[j]) <= z * se[j] ? "" : "  OUT")}")).ToList();
        output.WriteLine($"n = {n}");
        foreach (var line in lines)
        {
            output.WriteLine(line);
        }
        Assert.All(names.Select((_, j) => j), j => Assert.True(Math.Abs(beta[j] - truth[j]) <= z * se[j], lines[j]));
    }
}
