using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests;

/// <summary>Shards: slices of the HCPs whose events, together, are the whole population's.</summary>
public sealed class ShardTests
{
    private static readonly SimulationModel Model = new(new SimulationConfig());

    [Fact]
    public void Shards_cover_the_population_once_in_consecutive_slices_of_nearly_equal_size()
    {
        foreach (var (hcps, shards) in new[] { (10, 3), (1_000_000, 7), (5, 5), (1, 1) })
        {
            var slices = Enumerable.Range(1, shards).Select(i => HcpSlice.ForShard(i, shards, hcps)).ToList();
            Assert.Equal(0, slices[0].From);
            Assert.Equal(hcps, slices[^1].To);
            Assert.All(slices.Zip(slices.Skip(1)), p => Assert.Equal(p.First.To, p.Second.From));
            Assert.True(slices.Max(s => s.Count) - slices.Min(s => s.Count) <= 1);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => HcpSlice.ForShard(4, 3, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => HcpSlice.ForShard(0, 3, 10));
    }

    [Fact]
    public void A_population_built_for_a_slice_has_the_same_traits_and_the_slices_profiles()
    {
        var whole = new Population(Model, 11, 500, [], 2);
        var slice = new HcpSlice(200, 350);
        var part = new Population(Model, 11, 500, [], 2, slice);
        Assert.Equal(200, part.FirstProfile);
        Assert.Equal(RowText.All(whole.Profiles.Skip(200).Take(150)), RowText.All(part.Profiles));
        Assert.Equal(whole.Traits.Select(Traits), part.Traits.Select(Traits));
        Assert.Equal(whole.Reps.Select(r => r.ToString()), part.Reps.Select(r => r.ToString()));
    }

    [Fact]
    public void The_events_of_the_slices_are_the_events_of_the_whole_population()
    {
        var asOf = new DateOnly(2026, 5, 20);
        var windowStart = SimDate.WindowStart(asOf, 5);
        var whole = new Simulator(new Population(Model, 3, 300, [], 2));
        var expected = Events(whole.Evaluate(windowStart, windowStart, asOf, 2, 32));
        var union = new List<string>();
        for (var shard = 1; shard <= 3; shard++)
        {
            var slice = HcpSlice.ForShard(shard, 3, 300);
            var sim = new Simulator(new Population(Model, 3, 300, [], 1, slice));
            union.AddRange(Events(sim.Evaluate(windowStart, windowStart, asOf, slice, 1, 7)));
        }
        Assert.NotEmpty(expected);
        Assert.Equal(expected, union.Order(StringComparer.Ordinal));
    }

    private static string Traits(HcpTraits t) =>
        $"{t.Index} {t.Id} {t.Tier} {t.Segment} {t.Specialty} {t.City} {string.Join(',', t.Affinity)} {string.Join(',', t.Limits)} {string.Join(',', t.Blackouts)} {t.PrimaryRep} {t.OverlayRep} {t.RouteDay} {t.VisitRate} {t.TimeZone}";

    private static List<string> Events(IEnumerable<EventBlock> blocks) =>
        blocks.SelectMany(b => RowText.All(b.Stimuli).Concat(RowText.All(b.Outcomes)).Concat(RowText.All(b.Rx))).Order(StringComparer.Ordinal).ToList();
}
