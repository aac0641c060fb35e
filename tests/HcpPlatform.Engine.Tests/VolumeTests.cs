using HcpPlatform.Engine.Generators;

namespace HcpPlatform.Engine.Tests;

public sealed class VolumeTests(DevelopmentScaleFixture f) : IClassFixture<DevelopmentScaleFixture>
{
    [Fact]
    public void Stimuli_land_near_forty_per_hcp_year()
    {
        Assert.InRange(f.Stimuli.Count, 72_000, 88_000);
    }

    [Fact]
    public void Outcomes_are_about_twenty_percent_of_stimuli()
    {
        var ratio = (double)f.Outcomes.Count / f.Stimuli.Count;
        Assert.InRange(ratio, 0.18, 0.22);
    }

    [Fact]
    public void One_rx_row_per_hcp_month()
    {
        Assert.Equal(DevelopmentScaleFixture.Hcps * DevelopmentScaleFixture.Months, f.Rx.Count);
        Assert.Equal(f.Rx.Count, f.Rx.Select(r => (r.HcpId, r.Month)).Distinct().Count());
    }

    [Fact]
    public void Territory_rows_are_about_one_and_a_quarter_per_hcp()
    {
        var rows = f.Population.Traits.SelectMany(f.Population.TerritoryRows).ToList();
        Assert.InRange(rows.Count, 2_250, 2_750);
        Assert.All(rows.GroupBy(r => r.HcpId), g => Assert.Single(g, r => r.IsPrimary));
        Assert.InRange(f.Population.Reps.Count, 190, 210);
    }

    [Fact]
    public void Campaign_count_and_concurrency()
    {
        Assert.InRange(f.Campaigns.Count, 45, 55);
        for (var d = f.WindowStart; d <= DevelopmentScaleFixture.AsOf; d = d.AddDays(1))
        {
            var day = d;
            Assert.True(f.Campaigns.Count(c => c.IsActive(day)) <= 3, $"more than 3 campaigns on {day}");
        }
        Assert.All(f.Campaigns, c => Assert.InRange(c.End.DayNumber - c.Start.DayNumber + 1, 14, 90));
    }

    [Fact]
    public void Every_npi_is_valid_and_unique()
    {
        Assert.All(f.Population.Profiles, p => Assert.True(Npi.IsValid(p.Npi), p.Npi));
        Assert.Equal(f.Population.Profiles.Length, f.Population.Profiles.Select(p => p.Npi).Distinct().Count());
    }
}
