using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests.Statistics;

/// <summary>A dataset generated in memory, as a backfill would load it: the population, its window, every event row.</summary>
internal sealed class GeneratedData
{
    private IReadOnlyList<GroundTruthParameter>? _truth;

    private GeneratedData(SimulationModel model, Population population, DateOnly windowStart, DateOnly asOf)
    {
        Model = model;
        Population = population;
        WindowStart = windowStart;
        AsOf = asOf;
        Campaigns = population.Campaigns.ForWindow(windowStart, asOf);
    }

    public SimulationModel Model { get; }
    public Population Population { get; }
    public DateOnly WindowStart { get; }
    public DateOnly AsOf { get; }
    public List<StimulusEvent> Stimuli { get; } = [];
    public List<OutcomeEvent> Outcomes { get; } = [];
    public List<PrescribingHistory> Rx { get; } = [];
    public IReadOnlyList<CampaignPlan> Campaigns { get; }

    /// <summary>The ground truth stored with the dataset (the correct model, whatever faults the generator had).</summary>
    public IReadOnlyList<GroundTruthParameter> Truth => _truth ??= GroundTruth.Build(Model, Population.Seed);

    /// <summary>Days in [window start, as-of].</summary>
    public int WindowDays => AsOf.DayNumber - WindowStart.DayNumber + 1;

    public static GeneratedData Generate(long seed, int hcps, int months, DateOnly asOf, SimulationConfig? config = null)
    {
        var model = new SimulationModel(config ?? new SimulationConfig());
        var population = new Population(model, seed, hcps, [], Environment.ProcessorCount);
        var windowStart = SimDate.WindowStart(asOf, months);
        var data = new GeneratedData(model, population, windowStart, asOf);
        foreach (var block in new Simulator(population).Evaluate(windowStart, windowStart, asOf, Environment.ProcessorCount))
        {
            data.Stimuli.AddRange(block.Stimuli);
            data.Outcomes.AddRange(block.Outcomes);
            data.Rx.AddRange(block.Rx);
        }
        return data;
    }

    /// <summary>The same population and window generated with one fault switched on.</summary>
    public static GeneratedData WithFault(long seed, int hcps, int months, DateOnly asOf, EngineFault fault) =>
        Generate(seed, hcps, months, asOf, new SimulationConfig { Faults = fault });
}
