using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests;

/// <summary>The campaigns a dataset holds are every campaign its touches name (the stimuli's campaign foreign key).</summary>
public sealed class CampaignWindowTests
{
    [Fact]
    public void A_window_names_only_its_campaigns_including_one_that_ended_the_evening_before_in_UTC()
    {
        var population = new Population(new SimulationModel(new SimulationConfig()), 42, 2000, [], 2);
        var sim = new Simulator(population);
        // Seed 42 at 2,000 HCPs: a campaign ends on 2026-02-28 and one of its last-day touches, in a US evening, is dated
        // 2026-03-01 in UTC. A window starting that day (a backfill through 2026-03-31 of one month) names it.
        var windowStart = new DateOnly(2026, 3, 1);
        var asOf = new DateOnly(2026, 3, 31);
        var held = population.Campaigns.ForWindow(windowStart, asOf).ToDictionary(c => c.Id);
        var named = new List<Guid>();
        foreach (var block in sim.Evaluate(windowStart, windowStart, asOf, 2))
        {
            named.AddRange(block.Stimuli.Where(s => s.CampaignId is not null).Select(s => s.CampaignId!.Value));
        }
        Assert.NotEmpty(named);
        Assert.All(named, id => Assert.True(held.ContainsKey(id), $"campaign {id} is named by a touch but not held"));
        Assert.Contains(named, id => held[id].End < windowStart);
    }
}
