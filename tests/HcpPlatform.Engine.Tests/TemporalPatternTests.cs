using System.Text.Json;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Reference;

namespace HcpPlatform.Engine.Tests;

/// <summary>
/// Exact rules of 000 Task 7 and 8 on the development-scale dataset. The temporal patterns themselves (rep city days,
/// email batches, webinar lead, congress days, quarter-end push, weekday weighting, holidays) and the latencies are
/// statistical checks (<see cref="DevelopmentScaleStatisticsTests"/>), each shown to fail without its pattern
/// (<see cref="FaultInjectionTests"/>).
/// </summary>
[Collection(DevelopmentScaleGroup.Name)]
public sealed class TemporalPatternTests(DevelopmentScaleFixture f)
{
    private static DateOnly Day(DateTime t) => DateOnly.FromDateTime(t);

    [Fact]
    public void No_touches_on_major_holidays()
    {
        var holidays = UsHolidays.ForYear(2025).Concat(UsHolidays.ForYear(2026)).Select(h => h.Date).ToHashSet();
        Assert.Contains(new DateOnly(2025, 12, 25), holidays);
        var zones = f.Population.Traits.ToDictionary(t => t.Id, t => t.TimeZone);
        Assert.DoesNotContain(f.Stimuli, s => holidays.Contains(Day((s.Channel == "conference" ? LocalHours.CongressZone : zones[s.HcpId]).ToLocal(s.EventDate))));
    }

    [Fact]
    public void A_rep_makes_at_most_its_daily_capacity_of_visits()
    {
        var zones = f.Population.Traits.ToDictionary(t => t.Id, t => t.TimeZone);
        Assert.All(f.Stimuli.Where(s => s.Channel == "rep_visit").GroupBy(s => (s.RepId, Day(zones[s.HcpId].ToLocal(s.EventDate)))),
            g => Assert.True(g.Count() <= f.Model.Config.MaxRepVisitsPerDay));
    }

    [Fact]
    public void Webinar_attendance_is_at_the_event_hour()
    {
        var attends = f.Outcomes.Where(o => o.OutcomeType == "webinar_attend").ToList();
        Assert.NotEmpty(attends);
        Assert.All(attends, o => Assert.Equal(LocalHours.WebinarStartEastern, UsTimeZone.Eastern.ToLocal(o.EventDate).TimeOfDay.TotalHours));
    }

    [Fact]
    public void Outcomes_follow_their_stimulus_inside_the_attribution_window()
    {
        var stimuli = f.Stimuli.ToDictionary(s => s.Id);
        var windows = f.Model.Config.AttributionWindowDays;
        Assert.All(f.Outcomes, o =>
        {
            var s = stimuli[o.StimulusId!.Value];
            Assert.True(o.EventDate > s.EventDate);
            Assert.True((o.EventDate - s.EventDate).TotalDays <= windows[o.OutcomeType], $"{o.OutcomeType} after {(o.EventDate - s.EventDate).TotalDays:F1} days");
            Assert.Equal("delivered", s.DeliveryStatus);
            Assert.Equal(s.HcpId, o.HcpId);
        });
    }

    [Fact]
    public void Contact_limits_and_capacity_are_respected()
    {
        // Limits hold on the HCP's local days (conference touches are timed by the congress's clock).
        var traits = f.Population.Traits.ToDictionary(t => t.Id);
        foreach (var g in f.Stimuli.GroupBy(s => (s.HcpId, s.Channel)))
        {
            var hcp = traits[g.Key.HcpId];
            var rule = hcp.Limits[Simulation.Channel.IndexOf(g.Key.Channel)];
            var zone = g.Key.Channel == "conference" ? LocalHours.CongressZone : hcp.TimeZone;
            var days = g.Select(s => Day(zone.ToLocal(s.EventDate))).Order().ToList();
            foreach (var month in days.GroupBy(d => (d.Year, d.Month)))
            {
                Assert.True(month.Count() <= rule.MaxPerMonth, $"{g.Key.Channel}: {month.Count()} > {rule.MaxPerMonth}");
            }
            for (var i = 1; i < days.Count; i++)
            {
                Assert.True(days[i].DayNumber - days[i - 1].DayNumber >= rule.MinDaysBetween, $"{g.Key.Channel} gap below {rule.MinDaysBetween}");
            }
            foreach (var d in days)
            {
                Assert.DoesNotContain(d.Month * 100 + d.Day, hcp.Blackouts);
                if (rule.PreferredWeekdayMask != 0)
                {
                    Assert.NotEqual(0, rule.PreferredWeekdayMask & (1 << (SimDate.IsoWeekday(d) - 1)));
                }
            }
        }
        Assert.All(f.Stimuli.Where(s => s.Channel == "email").GroupBy(s => Day(s.EventDate)), g => Assert.True(g.Count() <= DevelopmentScaleFixture.Hcps));
    }
}
