using HcpPlatform.Data.Validation;

namespace HcpPlatform.Validation.Tests;

public sealed class ChiSquareTests
{
    [Theory]
    [InlineData(1, 3.841, 0.05)]
    [InlineData(2, 5.991, 0.05)]
    [InlineData(4, 9.488, 0.05)]
    [InlineData(2, 15.1, 5.26e-4)]
    [InlineData(9, 21.666, 0.01)]
    public void P_values_match_the_chi_square_table(int df, double statistic, double expected)
    {
        // One cell carrying the whole statistic: (O - E)^2 / E = statistic with E = 1.
        var p = FidelityChecks.ChiSquarePValue([(1.0, 1.0 + Math.Sqrt(statistic))], df);
        Assert.InRange(p, expected * 0.97, expected * 1.03);
    }

    [Fact]
    public void A_small_sample_is_flagged_only_when_implausible()
    {
        var expected = new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 0.3, ["c"] = 0.2 };
        // 45/10/5 of 60 against 30/18/12: unusual (p ≈ 5e-4) but not implausible at 1e-4.
        Assert.True(FidelityChecks.Tv("t", "", expected, new Dictionary<string, long> { ["a"] = 45, ["b"] = 10, ["c"] = 5 }).Passed);
        // 58/1/1 of 60 is implausible.
        Assert.False(FidelityChecks.Tv("t", "", expected, new Dictionary<string, long> { ["a"] = 58, ["b"] = 1, ["c"] = 1 }).Passed);
        // At development scale the TV bar of 0.95 applies as before.
        Assert.False(FidelityChecks.Tv("t", "", expected, new Dictionary<string, long> { ["a"] = 6_000, ["b"] = 2_000, ["c"] = 2_000 }).Passed);
    }
}
