using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests;

/// <summary>One development-scale dataset (seed 42, 2,000 HCPs, 12 months) shared by the statistical tests.</summary>
public sealed class DevelopmentScaleFixture
{
    public static readonly DateOnly AsOf = new(2026, 6, 30);
    public const long Seed = 42;
    public const int Hcps = 2000;
    public const int Months = 12;

    public DevelopmentScaleFixture()
    {
        Model = new SimulationModel(new SimulationConfig());
        Population = new Population(Model, Seed, Hcps, [], Environment.ProcessorCount);
        Simulator = new Simulator(Population);
        WindowStart = Calendar.SimDate.WindowStart(AsOf, Months);
        foreach (var block in Simulator.Evaluate(WindowStart, WindowStart, AsOf, Environment.ProcessorCount))
        {
            Stimuli.AddRange(block.Stimuli);
            Outcomes.AddRange(block.Outcomes);
            Rx.AddRange(block.Rx);
        }
        Campaigns = Population.Campaigns.Overlapping(WindowStart, AsOf);
    }

    public SimulationModel Model { get; }
    public Population Population { get; }
    public Simulator Simulator { get; }
    public DateOnly WindowStart { get; }
    public List<StimulusEvent> Stimuli { get; } = [];
    public List<OutcomeEvent> Outcomes { get; } = [];
    public List<PrescribingHistory> Rx { get; } = [];
    public IReadOnlyList<CampaignPlan> Campaigns { get; }
}
