using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests;

public sealed class FixtureAndConfigTests
{
    private static readonly SimulationConfig Config = new();

    [Fact]
    public void Fixtures_take_the_first_slots_and_keep_their_fields()
    {
        var json = """[{"npi": "1234567893", "firstName": "Jane", "lastName": "Smith", "specialty": "Oncology", "tier": "Tier 1", "state": "MA", "city": "Boston"}]""";
        var fixtures = Fixtures.Parse(json, Config);
        var pop = new Population(new SimulationModel(Config), 42, 20, fixtures);
        var p = pop.Profiles[0];
        Assert.Equal(("1234567893", "Jane", "Smith", "Oncology", "Tier 1", "MA", "Boston", true),
            (p.Npi, p.FirstName, p.LastName, p.Specialty, p.Tier, p.State, p.City, p.IsFixture));
        Assert.False(pop.Profiles[1].IsFixture);
        var without = new Population(new SimulationModel(Config), 42, 20, []);
        Assert.Equal(RowText.Of(without.Profiles[5]), RowText.Of(pop.Profiles[5]));
    }

    [Theory]
    [InlineData("[{\"npi\": \"1234567890\", \"firstName\": \"A\", \"lastName\": \"B\"}]", "invalid NPI \"1234567890\"")]
    [InlineData("{not json", "not a valid fixtures file")]
    [InlineData("[{\"npi\": \"1234567893\", \"firstName\": \"A\", \"lastName\": \"B\", \"tier\": \"Tier 9\"}]", "tier \"Tier 9\"; allowed")]
    [InlineData("[{\"npi\": \"1234567893\", \"firstName\": \"A\", \"lastName\": \"B\"}, {\"npi\": \"1234567893\", \"firstName\": \"C\", \"lastName\": \"D\"}]", "repeats NPI")]
    [InlineData("[{\"npi\": \"1234567893\", \"firstName\": \"A\", \"lastName\": \"B\", \"shoe\": 9}]", "not a valid fixtures file")]
    public void Bad_fixtures_are_rejected_with_a_message(string json, string expected)
    {
        var e = Assert.Throws<FixtureException>(() => Fixtures.Parse(json, Config, "f.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fixture_holding_a_generated_npi_moves_the_generated_one_aside()
    {
        var taken = Npi.ForSlot(42, 3);
        var fixtures = Fixtures.Parse($$"""[{"npi": "{{taken}}", "firstName": "A", "lastName": "B"}]""", Config);
        var pop = new Population(new SimulationModel(Config), 42, 10, fixtures);
        Assert.Equal(10, pop.Profiles.Select(p => p.Npi).Distinct().Count());
        Assert.All(pop.Profiles, p => Assert.True(Npi.IsValid(p.Npi)));
    }

    [Fact]
    public void Invalid_configuration_names_the_setting()
    {
        var config = new SimulationConfig();
        config.SpecialtyWeights["Oncology"] = 0.5;
        config.BaseResponseRates["rep_visit"]["meeting_scheduled"] = 1.5;
        var errors = config.Validate();
        Assert.Contains(errors, e => e.StartsWith("SpecialtyWeights weights sum to", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("BaseResponseRates[rep_visit][meeting_scheduled]", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new SimulationModel(config));
        Assert.Empty(new SimulationConfig().Validate());
    }

    [Fact]
    public void Scenarios_have_the_documented_sizes()
    {
        Assert.Equal((200, 3), (Scenario.Demo.Hcps, Scenario.Demo.Months));
        Assert.Equal((2_000, 12), (Scenario.Development.Hcps, Scenario.Development.Months));
        Assert.Equal((20_000, 12), (Scenario.Analytics.Hcps, Scenario.Analytics.Months));
        Assert.Equal((100_000, 12), (Scenario.LoadTest.Hcps, Scenario.LoadTest.Months));
        Assert.Same(Scenario.LoadTest, Scenario.Find("LOAD_TEST"));
    }
}
