using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Engine.Tests.Statistics;

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
        Data = GeneratedData.Generate(Seed, Hcps, Months, AsOf);
        Checks = new StatisticalChecks(Data).All().ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    internal GeneratedData Data { get; }

    /// <summary>Every statistical check's verdict on this dataset, by name.</summary>
    internal IReadOnlyDictionary<string, StatCheck> Checks { get; }

    public SimulationModel Model => Data.Model;
    public Population Population => Data.Population;
    public DateOnly WindowStart => Data.WindowStart;
    public List<StimulusEvent> Stimuli => Data.Stimuli;
    public List<OutcomeEvent> Outcomes => Data.Outcomes;
    public List<PrescribingHistory> Rx => Data.Rx;
    public IReadOnlyList<CampaignPlan> Campaigns => Data.Campaigns;
}

/// <summary>The test classes that read the development-scale dataset share one instance of it (generated once per run).</summary>
[CollectionDefinition(Name)]
public sealed class DevelopmentScaleGroup : ICollectionFixture<DevelopmentScaleFixture>
{
    public const string Name = "development scale";
}
