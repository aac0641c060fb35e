namespace HcpPlatform.Engine.Tests;

/// <summary>
/// Exact properties of the development-scale population and its ground truth. The distributions (specialty, tier,
/// segment, state, channel and content mix, responses, latencies, Rx) are judged by the statistical checks
/// (<see cref="DevelopmentScaleStatisticsTests"/>), with thresholds that follow from the sample size.
/// </summary>
[Collection(DevelopmentScaleGroup.Name)]
public sealed class FidelityTests(DevelopmentScaleFixture f)
{
    [Fact]
    public void Segments_are_those_allowed_for_the_tier()
    {
        Assert.All(f.Population.Profiles, p => Assert.Contains(p.Segment, f.Model.Config.SegmentByTier[p.Tier].Keys));
    }

    [Fact]
    public void Preferred_channel_is_the_highest_affinity()
    {
        Assert.All(f.Population.Traits, t =>
            Assert.Equal(Simulation.Channel.Names[Array.IndexOf(t.Affinity, t.Affinity.Max())], f.Population.Profiles[t.Index].PreferredChannel));
    }

    [Fact]
    public void Ground_truth_covers_every_channel_tier_segment_cell()
    {
        var truth = Simulation.GroundTruth.Build(f.Model, DevelopmentScaleFixture.Seed);
        var cells = truth.Where(t => t.Parameter == "response_probability").ToList();
        Assert.Equal(cells.Count, cells.Select(c => (c.Channel, c.OutcomeType, c.Tier, c.Segment)).Distinct().Count());
        // Only the tier × segment cells that occur (SegmentByTier gives the segment a share of the tier), 8 stimulus × outcome pairs each.
        var reachable = Config.SimulationConfig.Tiers.Sum(t => f.Model.Segments.Count(g => f.Model.SegmentByTier[Simulation.SimulationModel.TierIndex(t)].ShareOf(g) > 0));
        Assert.True(reachable < 3 * f.Model.Segments.Length);
        Assert.Equal(reachable * 8, cells.Count);
        Assert.All(cells, c => Assert.True(c.Value is > 0 and < 1, $"{c.Value}"));
        Assert.Equal(12, truth.Count(t => t.Parameter == "rx_seasonality"));
        Assert.Single(truth, t => t.Parameter == "rx_noise_sigma");
        Assert.Single(truth, t => t.Parameter == "rx_noise_sigma_per_volatility");
    }
}
