using HcpPlatform.Engine.Generators;

namespace HcpPlatform.Engine.Tests;

/// <summary>
/// Exact volume rules of the development-scale dataset. Volumes that are drawn (stimuli per HCP-year, outcomes per
/// stimulus, territory rows, campaigns) are judged by the statistical checks (<see cref="DevelopmentScaleStatisticsTests"/>).
/// </summary>
[Collection(DevelopmentScaleGroup.Name)]
public sealed class VolumeTests(DevelopmentScaleFixture f)
{
    [Fact]
    public void One_rx_row_per_hcp_month()
    {
        Assert.Equal(DevelopmentScaleFixture.Hcps * DevelopmentScaleFixture.Months, f.Rx.Count);
        Assert.Equal(f.Rx.Count, f.Rx.Select(r => (r.HcpId, r.Month)).Distinct().Count());
    }

    [Fact]
    public void Exactly_one_primary_rep_per_hcp()
    {
        var rows = f.Population.Traits.SelectMany(f.Population.TerritoryRows).ToList();
        Assert.All(rows.GroupBy(r => r.HcpId), g => Assert.Single(g, r => r.IsPrimary));
        Assert.Equal(DevelopmentScaleFixture.Hcps, rows.Select(r => r.HcpId).Distinct().Count());
    }

    [Fact]
    public void Campaign_concurrency_and_durations()
    {
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
