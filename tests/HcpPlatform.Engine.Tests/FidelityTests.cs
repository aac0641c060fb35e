using HcpPlatform.Engine.Config;

namespace HcpPlatform.Engine.Tests;

/// <summary>Realised category shares match the configured weights (SDMetrics TVComplement ≥ 0.97).</summary>
public sealed class FidelityTests(DevelopmentScaleFixture f) : IClassFixture<DevelopmentScaleFixture>
{
    private static double TvComplement(IReadOnlyDictionary<string, double> expected, IEnumerable<string> observed)
    {
        var list = observed.ToList();
        var counts = list.GroupBy(x => x).ToDictionary(g => g.Key, g => (double)g.Count() / list.Count);
        var keys = expected.Keys.Union(counts.Keys);
        return 1 - 0.5 * keys.Sum(k => Math.Abs(expected.GetValueOrDefault(k) - counts.GetValueOrDefault(k)));
    }

    [Fact]
    public void Specialty_mix() => Assert.True(TvComplement(f.Model.Config.SpecialtyWeights, f.Population.Profiles.Select(p => p.Specialty)) >= 0.97);

    [Fact]
    public void Tier_given_specialty()
    {
        foreach (var specialty in new[] { "Oncology", "Cardiology" })
        {
            var expected = f.Model.Config.TierBySpecialty[specialty];
            Assert.True(TvComplement(expected, f.Population.Profiles.Where(p => p.Specialty == specialty).Select(p => p.Tier)) >= 0.9);
        }
        var overall = SimulationConfig.Tiers.Select((t, i) => (t, f.Model.TierShare[i])).ToDictionary(x => x.t, x => x.Item2);
        Assert.True(TvComplement(overall, f.Population.Profiles.Select(p => p.Tier)) >= 0.97);
    }

    [Fact]
    public void Segment_given_tier()
    {
        foreach (var tier in SimulationConfig.Tiers)
        {
            var score = TvComplement(f.Model.Config.SegmentByTier[tier], f.Population.Profiles.Where(p => p.Tier == tier).Select(p => p.Segment));
            Assert.True(score >= 0.95, $"{tier}: {score:F3}");
            Assert.All(f.Population.Profiles.Where(p => p.Tier == tier), p => Assert.Contains(p.Segment, f.Model.Config.SegmentByTier[tier].Keys));
        }
    }

    [Fact]
    public void Channel_mix()
    {
        var expected = Simulation.Channel.Names.Select((c, i) => (c, f.Model.ChannelShare[i])).ToDictionary(x => x.c, x => x.Item2);
        Assert.True(TvComplement(expected, f.Stimuli.Select(s => s.Channel)) >= 0.97);
    }

    [Fact]
    public void Content_mix() => Assert.True(TvComplement(f.Model.Config.ContentCategories, f.Stimuli.Select(s => s.ContentCategory!)) >= 0.97);

    [Fact]
    public void State_mix_follows_population()
    {
        var expected = Reference.Geography.States.ToDictionary(s => s.Code, s => s.PopulationMillions / Reference.Geography.StateWeights.Sum());
        Assert.True(TvComplement(expected, f.Population.Profiles.Select(p => p.State)) >= 0.93);
    }

    [Fact]
    public void Preferred_channel_is_the_highest_affinity()
    {
        Assert.All(f.Population.Traits, t =>
            Assert.Equal(Simulation.Channel.Names[Array.IndexOf(t.Affinity, t.Affinity.Max())], f.Population.Profiles[t.Index].PreferredChannel));
    }

    [Fact]
    public void Tier_one_responds_more_than_tier_three()
    {
        var tiers = f.Population.Profiles.ToDictionary(p => p.Id, p => p.Tier);
        double Rate(string tier) =>
            (double)f.Outcomes.Count(o => tiers[o.HcpId] == tier) / f.Stimuli.Count(s => tiers[s.HcpId] == tier);
        Assert.True(Rate("Tier 1") > Rate("Tier 3") * 1.4);
    }

    [Fact]
    public void Rx_shows_seasonality_and_engagement_lift()
    {
        double Mean(params int[] months) => f.Rx.Where(r => months.Contains(r.Month.Month)).Average(r => r.RxCount);
        Assert.True(Mean(1, 2, 3) > Mean(7, 8, 9) * 1.15);
        Assert.True(Mean(10, 11, 12) > Mean(7, 8, 9) * 1.1);
        var baseline = f.Population.Profiles.ToDictionary(p => p.Id, p => p.BaseConversionRate * 50);
        var ratio = f.Rx.Average(r => r.RxCount / Math.Max(1, baseline[r.HcpId]));
        Assert.InRange(ratio, 1.0, 1.3);
    }

    [Fact]
    public void Ground_truth_covers_every_channel_tier_segment_cell()
    {
        var truth = Simulation.GroundTruth.Build(f.Model, DevelopmentScaleFixture.Seed);
        var cells = truth.Where(t => t.Parameter == "response_probability").ToList();
        Assert.Equal(cells.Count, cells.Select(c => (c.Channel, c.OutcomeType, c.Tier, c.Segment)).Distinct().Count());
        Assert.Equal(3 * f.Model.Segments.Length * 8, cells.Count);
        Assert.All(cells, c => Assert.InRange(c.Value, 0.0, 0.95));
        Assert.Equal(12, truth.Count(t => t.Parameter == "rx_seasonality"));
    }
}
