using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Engine.Tests;

/// <summary>The statistics toolkit against published tables and its own definitions.</summary>
public sealed class StatsTests
{
    [Theory]
    [InlineData(0.975, 1.959964)]
    [InlineData(0.5, 0.0)]
    [InlineData(0.01, -2.326348)]
    [InlineData(0.99995, 3.890592)]
    [InlineData(1e-9, -5.997807)]
    public void Normal_quantiles_match_the_table(double p, double z) => Assert.Equal(z, Stats.NormalQuantile(p), 5);

    [Fact]
    public void Normal_tail_and_critical_values()
    {
        Assert.Equal(0.0249979, Stats.NormalUpperTail(1.96), 6);
        Assert.Equal(3.16712e-5, Stats.NormalUpperTail(4.0), 9);
        Assert.Equal(3.8906, Stats.ZCritical(), 3);           // two-sided 1e-4
        Assert.Equal(3.7190, Stats.ZCriticalOneSided(), 3);   // one-sided 1e-4
        Assert.Equal(4.6029, Stats.ZCritical(1e-4, 24), 3);   // split over 24 cells
    }

    [Theory]
    [InlineData(1, 3.841, 0.05)]
    [InlineData(2, 5.991, 0.05)]
    [InlineData(4, 9.488, 0.05)]
    [InlineData(2, 15.1, 5.26e-4)]
    [InlineData(9, 21.666, 0.01)]
    [InlineData(19, 50.795, 1e-4)]
    public void Chi_square_tails_match_the_table(int df, double statistic, double p) =>
        Assert.InRange(Stats.ChiSquareUpperTail(statistic, df), p * 0.97, p * 1.03);

    [Fact]
    public void Goodness_of_fit_flags_only_the_implausible_and_pools_small_cells()
    {
        var expected = new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 0.3, ["c"] = 0.2 };
        // 45/10/5 of 60 against 30/18/12: unusual (p ≈ 5e-4) but not implausible at 1e-4.
        Assert.True(Stats.ChiSquareGoodnessOfFit(expected, new Dictionary<string, long> { ["a"] = 45, ["b"] = 10, ["c"] = 5 }).Passes());
        Assert.False(Stats.ChiSquareGoodnessOfFit(expected, new Dictionary<string, long> { ["a"] = 58, ["b"] = 1, ["c"] = 1 }).Passes());
        // At scale a 5-point shift is implausible, whatever TVComplement says (0.95).
        var shifted = Stats.ChiSquareGoodnessOfFit(expected, new Dictionary<string, long> { ["a"] = 55_000, ["b"] = 25_000, ["c"] = 20_000 });
        Assert.False(shifted.Passes());
        Assert.Equal(0.95, shifted.TvComplement, 6);
        // A category expected 0.1% of 1,000 is pooled, not tested on its own; one that should never occur fails.
        var rare = Stats.ChiSquareGoodnessOfFit(new Dictionary<string, double> { ["a"] = 0.599, ["b"] = 0.4, ["c"] = 0.001 },
            new Dictionary<string, long> { ["a"] = 600, ["b"] = 397, ["c"] = 3 });
        Assert.Equal(["c"], rare.Pooled);
        Assert.True(rare.Passes());
        var impossible = Stats.ChiSquareGoodnessOfFit(expected, new Dictionary<string, long> { ["a"] = 50, ["b"] = 30, ["c"] = 20, ["d"] = 1 });
        Assert.Equal(["d"], impossible.Impossible);
        Assert.Equal(0, impossible.P);
        Assert.False(Stats.ChiSquareGoodnessOfFit(expected, new Dictionary<string, long>()).Passes()); // an empty sample proves nothing
    }

    [Fact]
    public void Ks_bound_holds_for_uniform_samples_and_rejects_a_shifted_one()
    {
        var rng = new KeyedRandom(1, StreamKind.Dynamics, 0);
        var uniform = Enumerable.Range(0, 20_000).Select(_ => rng.NextDouble()).ToArray();
        Assert.True(Stats.KsDistanceFromUniform(uniform) <= Stats.KsCritical(uniform.Length));
        var squeezed = uniform.Select(u => u * 0.97).ToArray();
        Assert.True(Stats.KsDistanceFromUniform(squeezed) > Stats.KsCritical(squeezed.Length));
        Assert.Equal(0.00995, Stats.KsCritical(50_000), 5);
    }

    [Fact]
    public void Share_variance_is_the_sandwich_of_independent_units()
    {
        var sums = new ShareSums().Add(1, 4).Add(3, 4).Add(0, 2);
        Assert.Equal(0.4, sums.Share, 10);
        // At the observed share: Σ(part − 0.4·total)² / (Σ total)² = (0.6² + 1.4² + 0.8²) / 100
        Assert.Equal((0.36 + 1.96 + 0.64) / 100, sums.VarianceAt(0.4), 10);
        // At a share of 0.2 the parts are halved first: Σ(part / 2 − 0.2·total)² / 100 = (0.3² + 0.7² + 0.4²) / 100
        Assert.Equal((0.09 + 0.49 + 0.16) / 100, sums.VarianceAt(0.2), 10);
        // No part at all: the count's variance is its expectation.
        Assert.Equal(0.2 / 10, new ShareSums().Add(0, 4).Add(0, 6).VarianceAt(0.2), 10);
    }

    [Fact]
    public void Agreement_allows_the_sampling_bound_plus_the_stated_margin()
    {
        Assert.True(Stats.Agrees(1038, 1000, 100));      // within 3.89 sd
        Assert.False(Stats.Agrees(1039, 1000, 100));
        Assert.True(Stats.Agrees(1088, 1000, 100, 0.05)); // + 5% of 1,000
        Assert.False(Stats.Agrees(1089, 1000, 100, 0.05));
    }
}
