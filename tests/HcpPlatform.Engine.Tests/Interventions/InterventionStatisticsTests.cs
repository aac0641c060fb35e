using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Engine.Tests.Interventions;

/// <summary>
/// What the exact truth lets one check about estimators, as in practice: a randomized test's difference in means covers the
/// true ATE at its nominal rate; a targeted policy's naive comparison is confounded, and adjusting for the targeting
/// variable removes most of the bias.
/// </summary>
public sealed class InterventionStatisticsTests
{
    private static readonly DateOnly WindowStart = new(2026, 1, 1);
    private static readonly DateOnly AsOf = new(2026, 4, 30);

    private static Intervention Emails(string type, double? share, double? minEngagement) => new()
    {
        Id = Guid.Parse("7e57c0de-0000-4000-8000-000000000001"),
        Name = type,
        Type = type,
        Channels = ["email"],
        Target = new InterventionTarget { MinEngagement = minEngagement },
        Start = new DateOnly(2026, 2, 2),
        End = new DateOnly(2026, 3, 31),
        MaxExposuresPerHcp = 8,
        MinDaysBetweenExposures = 7,
        TreatedShare = share,
    };

    /// <summary>Per targeted HCP: its arm, its observed total of <paramref name="outcome"/> over the window and its true effect.</summary>
    private static List<(int Hcp, bool Treated, double Observed, double Effect)> Truth(Simulator sim, string outcome) =>
        InterventionTruthCalculator.Compute(sim, 0, WindowStart, WindowStart, AsOf, Environment.ProcessorCount)
            .Where(r => r.Outcome == outcome)
            .GroupBy(r => r.Hcp)
            .Select(g => (g.Key, g.First().Treated, g.Sum(r => r.Treated ? r.YTreated : r.YControl), g.Sum(r => r.YTreated - r.YControl)))
            .ToList();

    private static (double Mean, double Variance, int N) Moments(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        return (mean, list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1), list.Count);
    }

    [Fact]
    public void A_randomized_tests_difference_in_means_covers_the_true_ate_at_its_nominal_rate()
    {
        // 60 seeds of 250 HCPs; each 95% interval (difference in means ± 1.96 Neyman standard errors) against the exact ATE
        // of that dataset. The Neyman variance is conservative for the sample ATE, so coverage is at least nominal: the test
        // fails when fewer than 95% − z(1e-4, one-sided) × √(0.95 × 0.05 / 60) (≈ 83%) cover, as a wrong truth or a
        // treatment that leaks into the holdout would make happen.
        const int seeds = 60;
        var covered = 0;
        var z = Stats.NormalQuantile(0.975);
        var estimates = new List<(double Estimate, double Truth)>();
        for (var seed = 1; seed <= seeds; seed++)
        {
            var config = new SimulationConfig { Interventions = [Emails(Intervention.Test, 0.5, null)] };
            var sim = new Simulator(new Population(new SimulationModel(config), seed, 250, [], Environment.ProcessorCount));
            var rows = Truth(sim, "email_open");
            var treated = Moments(rows.Where(r => r.Treated).Select(r => r.Observed));
            var control = Moments(rows.Where(r => !r.Treated).Select(r => r.Observed));
            var difference = treated.Mean - control.Mean;
            var se = Math.Sqrt(treated.Variance / treated.N + control.Variance / control.N);
            var ate = rows.Average(r => r.Effect);
            covered += Math.Abs(difference - ate) <= z * se ? 1 : 0;
            estimates.Add((difference, ate));
        }
        var floor = seeds * 0.95 - Stats.ZCriticalOneSided() * Math.Sqrt(seeds * 0.95 * 0.05);
        Assert.True(covered >= floor, $"{covered} of {seeds} intervals cover the true ATE (at least {floor:F1} expected)");
        // The emails do something: the true ATE is positive in every dataset, and the estimates centre on it.
        Assert.All(estimates, e => Assert.True(e.Truth > 0));
        var bias = estimates.Average(e => e.Estimate - e.Truth);
        var sd = Math.Sqrt(estimates.Sum(e => Math.Pow(e.Estimate - e.Truth - bias, 2)) / (seeds - 1));
        Assert.True(Math.Abs(bias) <= Stats.ZCritical() * sd / Math.Sqrt(seeds), $"mean error {bias:F3} (sd {sd:F3})");
    }

    [Fact]
    public void A_targeted_policys_naive_comparison_is_confounded_and_adjusting_for_engagement_removes_most_of_it()
    {
        // Only HCPs with engagement ≥ 0.5 are treated; the others are the naive comparison group. Engaged HCPs get and open
        // more emails anyway, so the naive difference overstates the effect on the treated.
        var config = new SimulationConfig { Interventions = [Emails(Intervention.Policy, null, 0.5)] };
        var sim = new Simulator(new Population(new SimulationModel(config), 42, 1500, [], Environment.ProcessorCount));
        var truth = Truth(sim, "email_open").ToDictionary(r => r.Hcp);
        var att = truth.Values.Average(r => r.Effect);

        // Observed opens of every HCP over the window (treated: with the policy; the others: as they are).
        var opens = new double[sim.Population.Count];
        foreach (var block in sim.Evaluate(WindowStart, WindowStart, AsOf, Environment.ProcessorCount))
        {
            foreach (var o in block.Outcomes.Where(o => o.OutcomeType == "email_open" && o.EventDate >= new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc)))
            {
                opens[sim.Population.Traits.First(t => t.Id == o.HcpId).Index]++;
            }
        }
        var engagement = sim.Population.Traits.Select(InterventionSchedule.Engagement).ToArray();
        var treated = Enumerable.Range(0, opens.Length).Select(h => truth.ContainsKey(h)).ToArray();
        Assert.All(truth.Keys, h => Assert.True(engagement[h] >= 0.5));
        Assert.True(truth.Count is >= 100 and <= 1400, $"{truth.Count} treated; engagement quartiles {string.Join(", ", new[] { 0.25, 0.5, 0.75, 0.95 }.Select(q => engagement.Order().ElementAt((int)(q * engagement.Length)).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");

        var t = Moments(Enumerable.Range(0, opens.Length).Where(h => treated[h]).Select(h => opens[h]));
        var c = Moments(Enumerable.Range(0, opens.Length).Where(h => !treated[h]).Select(h => opens[h]));
        var naive = t.Mean - c.Mean;
        var se = Math.Sqrt(t.Variance / t.N + c.Variance / c.N);
        Assert.True(naive - att > se, $"naive {naive:F3} vs true ATT {att:F3}: bias {naive - att:F3}, standard error {se:F3}");

        // Regression on the targeting variable: opens = a + b × engagement + τ × treated (ordinary least squares).
        var adjusted = TreatmentCoefficient(opens, engagement, treated);
        Assert.True(Math.Abs(adjusted - att) < 0.5 * Math.Abs(naive - att),
            $"adjusted {adjusted:F3}, naive {naive:F3}, true ATT {att:F3}");
    }

    /// <summary>τ of y = a + b·x + τ·d by ordinary least squares (the 3 × 3 normal equations).</summary>
    private static double TreatmentCoefficient(double[] y, double[] x, bool[] d)
    {
        var m = new double[3, 4];
        for (var i = 0; i < y.Length; i++)
        {
            double[] row = [1, x[i], d[i] ? 1 : 0];
            for (var r = 0; r < 3; r++)
            {
                for (var k = 0; k < 3; k++)
                {
                    m[r, k] += row[r] * row[k];
                }
                m[r, 3] += row[r] * y[i];
            }
        }
        for (var p = 0; p < 3; p++)
        {
            for (var r = 0; r < 3; r++)
            {
                if (r == p)
                {
                    continue;
                }
                var f = m[r, p] / m[p, p];
                for (var k = p; k < 4; k++)
                {
                    m[r, k] -= f * m[p, k];
                }
            }
        }
        return m[2, 3] / m[2, 2];
    }
}
