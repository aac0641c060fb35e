using System.Text.Json;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Reference;

namespace HcpPlatform.Engine.Tests;

/// <summary>Each pattern of 000 Task 7 is observable: every test here fails if its pattern is removed.</summary>
public sealed class TemporalPatternTests(DevelopmentScaleFixture f) : IClassFixture<DevelopmentScaleFixture>
{
    private static DateOnly Day(DateTime t) => DateOnly.FromDateTime(t);

    [Fact]
    public void No_touches_on_major_holidays()
    {
        var holidays = UsHolidays.ForYear(2025).Concat(UsHolidays.ForYear(2026)).Select(h => h.Date).ToHashSet();
        Assert.Contains(new DateOnly(2025, 12, 25), holidays);
        Assert.DoesNotContain(f.Stimuli, s => holidays.Contains(Day(s.EventDate)));
        Assert.DoesNotContain(f.Stimuli, s => UsHolidays.IsBlackout(Day(s.EventDate)));
    }

    [Fact]
    public void Rep_visits_cluster_by_rep_city_and_day()
    {
        var hcps = f.Population.Profiles.ToDictionary(p => p.Id);
        var visits = f.Stimuli.Where(s => s.Channel == "rep_visit").ToList();
        var groups = visits.GroupBy(s => (s.RepId, hcps[s.HcpId].City, Day(s.EventDate))).ToList();
        var clustered = groups.Where(g => g.Count() > 1).Sum(g => g.Count());
        // Independent days per HCP would almost never put two of a rep's HCPs in one city on one day.
        Assert.True(clustered > 0.4 * visits.Count, $"only {clustered} of {visits.Count} visits share a rep, city and day");
        Assert.All(visits.GroupBy(s => (s.RepId, Day(s.EventDate))), g => Assert.True(g.Count() <= 10));
    }

    [Fact]
    public void Campaign_emails_go_out_in_batches_of_at_most_500_on_send_days()
    {
        var emails = f.Stimuli.Where(s => s.Channel == "email" && s.CampaignId is not null).ToList();
        Assert.NotEmpty(emails);
        var campaigns = f.Campaigns.ToDictionary(c => c.Id);
        Assert.All(emails, e => Assert.Contains(Day(e.EventDate), campaigns[e.CampaignId!.Value].SendDays));
        var perBatch = emails.GroupBy(e => JsonDocument.Parse(e.Metadata!).RootElement.GetProperty("send_batch").GetString()).ToList();
        Assert.All(perBatch, b => Assert.InRange(b.Count(), 1, 500));
        Assert.All(perBatch, b => Assert.Single(b.Select(e => Day(e.EventDate)).Distinct()));
        var perSendDay = emails.GroupBy(e => (e.CampaignId, Day(e.EventDate))).Average(g => g.Count());
        Assert.True(perSendDay >= 10, $"a campaign send day carries only {perSendDay:F1} emails on average");
    }

    [Fact]
    public void Webinar_invites_go_out_fourteen_days_before_the_event()
    {
        var invites = f.Stimuli.Where(s => s.Channel == "webinar").ToList();
        Assert.NotEmpty(invites);
        Assert.All(invites, s =>
        {
            var eventDay = DateOnly.Parse(JsonDocument.Parse(s.Metadata!).RootElement.GetProperty("event_date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(14, eventDay.DayNumber - Day(s.EventDate).DayNumber);
        });
        var attends = f.Outcomes.Where(o => o.OutcomeType == "webinar_attend").ToList();
        Assert.NotEmpty(attends);
        Assert.All(attends, o => Assert.Equal(17, o.EventDate.Hour));
    }

    [Fact]
    public void Conference_touches_spike_on_congress_days()
    {
        var hcps = f.Population.Profiles.ToDictionary(p => p.Id);
        var touches = f.Stimuli.Where(s => s.Channel == "conference").ToList();
        Assert.NotEmpty(touches);
        Assert.All(touches, s =>
        {
            var specialty = hcps[s.HcpId].Specialty;
            var day = Day(s.EventDate);
            var start = Specialties.CongressStart(specialty, day.Year);
            Assert.InRange(day.DayNumber - start.DayNumber, 0, Specialties.CongressFor(specialty).Days - 1);
        });
        var busiestDays = touches.GroupBy(s => Day(s.EventDate)).Select(g => g.Count()).OrderDescending().Take(36).Sum();
        Assert.True(busiestDays > 0.9 * touches.Count, "conference touches are not concentrated around events");
    }

    [Fact]
    public void Quarter_end_months_carry_a_push()
    {
        var pushed = f.Stimuli.Where(s => s.Channel is "email" or "rep_visit" or "phone").ToList();
        var byMonth = pushed.GroupBy(s => s.EventDate.Month).ToDictionary(g => g.Key, g => (double)g.Count());
        // The window starts on 2025-07-01, so every calendar month is whole.
        var quarterEnd = new[] { 3, 6, 9, 12 }.Average(m => byMonth[m] / DateTime.DaysInMonth(2026, m));
        var other = new[] { 1, 2, 4, 5, 7, 8, 10, 11 }.Average(m => byMonth[m] / DateTime.DaysInMonth(2026, m));
        Assert.True(quarterEnd / other > 1.3, $"quarter-end/other daily volume is {quarterEnd / other:F2}");
    }

    [Fact]
    public void Touches_are_weekday_weighted()
    {
        var business = f.Stimuli.Where(s => s.Channel is "email" or "rep_visit" or "phone").ToList();
        Assert.DoesNotContain(business, s => s.EventDate.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        var byDay = business.GroupBy(s => s.EventDate.DayOfWeek).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byDay[DayOfWeek.Wednesday] > byDay[DayOfWeek.Friday] * 1.3);
        var ads = f.Stimuli.Where(s => s.Channel == "digital_ad").ToList();
        var weekendShare = ads.Count(s => s.EventDate.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) / (double)ads.Count;
        Assert.InRange(weekendShare, 0.08, 0.18);
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
    public void Latency_means_match_the_configuration()
    {
        var stimuli = f.Stimuli.ToDictionary(s => s.Id);
        foreach (var (type, mean) in f.Model.Config.LatencyMeanDays)
        {
            var observed = f.Outcomes.Where(o => o.OutcomeType == type).Average(o => (o.EventDate - stimuli[o.StimulusId!.Value].EventDate).TotalDays);
            Assert.InRange(observed, mean * 0.9, mean * 1.1);
        }
    }

    [Fact]
    public void Contact_limits_and_capacity_are_respected()
    {
        var traits = f.Population.Traits.ToDictionary(t => t.Id);
        foreach (var g in f.Stimuli.GroupBy(s => (s.HcpId, s.Channel)))
        {
            var hcp = traits[g.Key.HcpId];
            var rule = hcp.Limits[Simulation.Channel.IndexOf(g.Key.Channel)];
            var days = g.Select(s => Day(s.EventDate)).Order().ToList();
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
