using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests;

/// <summary>The engine's per-thread caches never carry one population's plans into another's (a process can hold several).</summary>
public sealed class ThreadCacheTests
{
    private static readonly SimulationModel Model = new(new SimulationConfig());

    [Fact]
    public void Two_populations_evaluated_in_turn_on_one_thread_give_each_its_own_events()
    {
        var asOf = new DateOnly(2026, 5, 20);
        var windowStart = SimDate.WindowStart(asOf, 6);
        var first = new Simulator(new Population(Model, 1, 300, [], 1));
        var second = new Simulator(new Population(Model, 2, 300, [], 1));
        DateOnly[] days = [new(2026, 4, 30), new(2026, 5, 1), new(2026, 5, 20)];

        // What the second population gives on a thread that never saw the first.
        var expected = new List<string>();
        var alone = new Thread(() =>
        {
            foreach (var day in days)
            {
                for (var h = 0; h < 300; h++)
                {
                    expected.Add(Text(second.EvaluateHcp(windowStart, day, day, h)));
                }
            }
        });
        alone.Start();
        alone.Join();

        var interleaved = new List<string>();
        foreach (var day in days)
        {
            for (var h = 0; h < 300; h++)
            {
                // The first population's months end two before the second's begin and overlap its first ones.
                var earlier = day.AddMonths(-2);
                first.EvaluateHcp(windowStart, earlier, earlier, h);
                interleaved.Add(Text(second.EvaluateHcp(windowStart, day, day, h)));
            }
        }
        Assert.Contains(expected, t => t.Length > 0);
        Assert.Equal(expected, interleaved);
    }

    private static string Text(EventBlock block) =>
        string.Join('\n', block.Stimuli.Select(RowText.Of).Concat(block.Outcomes.Select(RowText.Of)).Concat(block.Rx.Select(RowText.Of)));
}
