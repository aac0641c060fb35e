using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests.Interventions;

/// <summary>The engine with interventions: exposures within limits, regular touches untouched, exact counterfactuals.</summary>
public sealed class InterventionEngineTests
{
    private const long Seed = 11;
    private const int Hcps = 400;
    private static readonly DateOnly WindowStart = new(2025, 10, 1);
    private static readonly DateOnly AsOf = new(2026, 5, 31);

    internal static Intervention EmailPhoneTest() => new()
    {
        Id = Guid.Parse("5e3f0a4e-1b0c-4a39-9d7e-000000000001"),
        Name = "email and phone test",
        Type = Intervention.Test,
        Channels = ["email", "phone"],
        Start = new DateOnly(2026, 2, 3),
        End = new DateOnly(2026, 3, 31),
        MaxExposuresPerHcp = 5,
        MinDaysBetweenExposures = 7,
        TreatedShare = 0.5,
    };

    internal static Intervention Tier1Visits() => new()
    {
        Id = Guid.Parse("5e3f0a4e-1b0c-4a39-9d7e-000000000002"),
        Name = "tier 1 visits",
        Type = Intervention.Policy,
        Channels = ["rep_visit"],
        Target = new InterventionTarget { Tiers = ["Tier 1"] },
        Start = new DateOnly(2026, 3, 2),
        End = new DateOnly(2026, 4, 30),
        MaxExposuresPerHcp = 3,
        MinDaysBetweenExposures = 14,
    };

    internal static Simulator Sim(params Intervention[] interventions) =>
        new(new Population(new SimulationModel(new SimulationConfig { Interventions = interventions.Length == 0 ? null : [.. interventions] }), Seed, Hcps, [], 2));

    private static EventBlock All(Simulator sim)
    {
        var all = new EventBlock();
        foreach (var b in sim.Evaluate(WindowStart, WindowStart, AsOf, 2, 128))
        {
            all.Stimuli.AddRange(b.Stimuli);
            all.Outcomes.AddRange(b.Outcomes);
            all.Rx.AddRange(b.Rx);
        }
        return all;
    }

    private static readonly Lazy<(EventBlock Without, EventBlock With, Simulator Sim)> Runs = new(() =>
    {
        var sim = Sim(EmailPhoneTest(), Tier1Visits());
        return (All(Sim()), All(sim), sim);
    });

    [Fact]
    public void Without_interventions_nothing_is_compiled()
    {
        Assert.Null(Sim().Interventions);
        Assert.All(Runs.Value.Without.Stimuli, s => Assert.Null(s.InterventionId));
    }

    [Fact]
    public void Days_before_the_first_start_are_exactly_what_they_were()
    {
        var (without, with, _) = Runs.Value;
        var start = SimDate(EmailPhoneTest().Start).AddDays(-1);
        Assert.Equal(RowText.All(without.Stimuli.Where(s => s.EventDate < start)), RowText.All(with.Stimuli.Where(s => s.EventDate < start)));
        Assert.Equal(RowText.All(without.Outcomes.Where(s => s.EventDate < start)), RowText.All(with.Outcomes.Where(s => s.EventDate < start)));
        Assert.Equal(RowText.All(without.Rx.Where(r => r.Month < new DateTime(2026, 2, 1))), RowText.All(with.Rx.Where(r => r.Month < new DateTime(2026, 2, 1))));
        // The Rx months from the start on do move (exposures lift prescribing).
        Assert.NotEqual(RowText.All(without.Rx), RowText.All(with.Rx));
    }

    private static DateTime SimDate(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    [Fact]
    public void Regular_touches_keep_their_ids_and_draws()
    {
        var (without, with, _) = Runs.Value;
        var regular = with.Stimuli.Where(s => s.InterventionId is null).ToList();
        Assert.Equal(RowText.All(without.Stimuli), RowText.All(regular));
    }

    [Fact]
    public void Exposures_go_to_treated_hcps_within_the_window_and_every_limit()
    {
        var (_, with, sim) = Runs.Value;
        var schedule = sim.Interventions!;
        var exposures = with.Stimuli.Where(s => s.InterventionId is not null).ToList();
        Assert.NotEmpty(exposures);
        var traits = sim.Population.Traits.ToDictionary(t => t.Id);
        for (var k = 0; k < schedule.Items.Count; k++)
        {
            var i = schedule.Items[k];
            var mine = exposures.Where(s => s.InterventionId == i.Id).ToList();
            Assert.NotEmpty(mine);
            Assert.All(mine, s => Assert.Contains(s.Channel, i.Channels));
            foreach (var byHcp in mine.GroupBy(s => s.HcpId))
            {
                var h = traits[byHcp.Key];
                Assert.True(schedule.IsTreated(k, h.Index));
                var days = byHcp.Select(s => DateOnly.FromDateTime(h.TimeZone.ToLocal(s.EventDate))).Order().ToList();
                Assert.True(days.Count <= i.MaxExposuresPerHcp);
                Assert.All(days, d => Assert.True(i.IsActive(d)));
                Assert.All(days.Zip(days.Skip(1)), p => Assert.True(p.Second.DayNumber - p.First.DayNumber >= i.MinDaysBetweenExposures));
            }
        }
        // The test treats about half its population; the policy every Tier 1 HCP, and most of them get a visit.
        var test = Enumerable.Range(0, Hcps).Count(h => schedule.IsTreated(0, h));
        Assert.InRange(test, Hcps * 0.4, Hcps * 0.6);
        var tier1 = sim.Population.Traits.Count(t => t.Tier == 0 && t.Limits[Channel.RepVisit].MaxPerMonth > 0);
        var visited = exposures.Where(s => s.InterventionId == schedule.Items[1].Id).Select(s => s.HcpId).Distinct().Count();
        Assert.InRange(visited, tier1 * 0.5, tier1);

        // Every HCP's contact limits hold over all its touches: monthly maximum and minimum gap per channel (local days).
        foreach (var byHcp in with.Stimuli.GroupBy(s => s.HcpId))
        {
            var h = traits[byHcp.Key];
            foreach (var byChannel in byHcp.GroupBy(s => s.Channel))
            {
                var rule = h.Limits[Channel.IndexOf(byChannel.Key)];
                var days = byChannel.Select(s => DateOnly.FromDateTime(h.TimeZone.ToLocal(s.EventDate))).Order().ToList();
                Assert.All(days.GroupBy(d => (d.Year, d.Month)), m => Assert.True(m.Count() <= rule.MaxPerMonth, $"{byChannel.Key} {m.Key}"));
                Assert.All(days.Zip(days.Skip(1)), p => Assert.True(p.Second.DayNumber - p.First.DayNumber >= rule.MinDaysBetween,
                    $"{h.Index} {byChannel.Key} {p.First} {p.Second}"));
            }
        }
    }

    [Fact]
    public void A_day_evaluated_alone_is_what_the_backfill_has_for_it()
    {
        var (_, with, sim) = Runs.Value;
        var treated = Enumerable.Range(0, Hcps).Where(h => sim.Interventions!.IsTreated(0, h) || sim.Interventions.IsTreated(1, h)).Take(40).ToList();
        foreach (var day in new[] { new DateOnly(2026, 3, 10), new DateOnly(2026, 4, 14), new DateOnly(2026, 4, 30) })
        {
            var expected = new List<StimulusEvent>();
            var outcomes = new List<OutcomeEvent>();
            var rx = new List<PrescribingHistory>();
            foreach (var h in treated)
            {
                var b = sim.EvaluateHcp(WindowStart, day, day, h);
                expected.AddRange(b.Stimuli);
                outcomes.AddRange(b.Outcomes);
                rx.AddRange(b.Rx);
            }
            var ids = treated.Select(h => sim.Population.Traits[h].Id).ToHashSet();
            bool OnDay(DateTime at) => DateOnly.FromDateTime(at) == day;
            Assert.Equal(RowText.All(with.Stimuli.Where(s => ids.Contains(s.HcpId) && OnDay(s.EventDate))), RowText.All(expected));
            Assert.Equal(RowText.All(with.Outcomes.Where(s => ids.Contains(s.HcpId) && OnDay(s.EventDate))), RowText.All(outcomes));
            Assert.Equal(RowText.All(with.Rx.Where(r => ids.Contains(r.HcpId) && day.Day == DateTime.DaysInMonth(day.Year, day.Month) && r.Month.Month == day.Month)), RowText.All(rx));
        }
    }

    [Fact]
    public void A_treated_hcps_counterfactual_is_the_world_without_the_intervention()
    {
        var only = EmailPhoneTest();
        var sim = Sim(only);
        var without = Sim();
        var schedule = sim.Interventions!;
        var treated = Enumerable.Range(0, Hcps).Where(h => schedule.IsTreated(0, h)).Take(25).ToList();
        var control = Enumerable.Range(0, Hcps).Where(h => !schedule.IsTreated(0, h)).Take(25).ToList();
        foreach (var h in treated)
        {
            var flipped = sim.EvaluateHcpFlipped(WindowStart, WindowStart, AsOf, h, 0);
            var absent = without.EvaluateHcp(WindowStart, WindowStart, AsOf, h);
            Assert.Equal(RowText.All(absent.Stimuli), RowText.All(flipped.Stimuli));
            Assert.Equal(RowText.All(absent.Outcomes), RowText.All(flipped.Outcomes));
            Assert.Equal(RowText.All(absent.Rx), RowText.All(flipped.Rx));
        }
        // A control HCP is the world without it as observed, and gets exposures when flipped.
        var exposed = 0;
        foreach (var h in control)
        {
            Assert.Equal(RowText.All(without.EvaluateHcp(WindowStart, WindowStart, AsOf, h).Stimuli), RowText.All(sim.EvaluateHcp(WindowStart, WindowStart, AsOf, h).Stimuli));
            exposed += sim.EvaluateHcpFlipped(WindowStart, WindowStart, AsOf, h, 0).Stimuli.Any(s => s.InterventionId == only.Id) ? 1 : 0;
        }
        Assert.True(exposed > 20, $"{exposed} of 25 control HCPs exposed when flipped");
    }

    [Fact]
    public void A_months_truth_as_an_increment_computes_it_is_the_windows_truth_of_that_month()
    {
        // An increment recomputes only the month of its day; every HCP is evaluated twice in a row on a thread (observed,
        // then flipped), from other first months than the whole window's evaluation: the rows must not depend on that.
        var sim = Runs.Value.Sim;
        foreach (var day in new[] { new DateOnly(2026, 3, 31), new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 1) })
        {
            var month = new DateOnly(day.Year, day.Month, 1);
            for (var k = 0; k < sim.Interventions!.Items.Count; k++)
            {
                var whole = InterventionTruthCalculator.Compute(sim, k, WindowStart, WindowStart, day, 2).Where(r => r.Month == month).Select(r => r.ToString());
                var alone = InterventionTruthCalculator.Compute(sim, k, WindowStart, month, day, 2).Select(r => r.ToString());
                Assert.Equal(whole, alone);
            }
        }
    }

    [Fact]
    public void The_truth_observed_arm_is_the_observed_data_and_the_other_arm_the_world_without_it()
    {
        var sim = Sim(EmailPhoneTest());
        var without = Sim();
        var rows = InterventionTruthCalculator.Compute(sim, 0, WindowStart, WindowStart, AsOf, 2);
        var window = InterventionTruthCalculator.Window(EmailPhoneTest(), sim.Population.Model.Config, WindowStart, AsOf)!.Value;
        Assert.Equal(new DateOnly(2026, 2, 1), window.From);
        Assert.Equal(AsOf, window.To);
        Assert.Equal(Hcps, rows.Select(r => r.Hcp).Distinct().Count());   // no target criteria: everyone
        foreach (var h in new[] { 0, 1, 2, 3, 5, 8, 13, 21 })
        {
            var observed = sim.EvaluateHcp(WindowStart, window.From, window.To, h);
            var absent = without.EvaluateHcp(WindowStart, window.From, window.To, h);
            var treated = sim.Interventions!.IsTreated(0, h);
            foreach (var r in rows.Where(r => r.Hcp == h))
            {
                double Count(EventBlock b) => r.Outcome == InterventionTruthCalculator.Rx
                    ? b.Rx.Single(x => DateOnly.FromDateTime(x.Month) == r.Month).RxCount
                    : b.Outcomes.Count(o => o.OutcomeType == r.Outcome && o.EventDate.Year == r.Month.Year && o.EventDate.Month == r.Month.Month);
                Assert.Equal(treated, r.Treated);
                Assert.Equal(Count(observed), treated ? r.YTreated : r.YControl);
                Assert.Equal(Count(absent), r.YControl);
            }
        }
        // The exposures do something: emails opened more in the treated world, summed over the target population.
        Assert.True(rows.Where(r => r.Outcome == "email_open").Sum(r => r.YTreated - r.YControl) > 0);
    }

    [Fact]
    public async Task A_planned_touch_dated_before_its_interventions_start_month_is_evaluated_and_refused()
    {
        var planned = new Intervention
        {
            Id = Guid.Parse("5e3f0a4e-1b0c-4a39-9d7e-000000000003"),
            Name = "planned emails",
            Type = Intervention.Policy,
            Schedule = Intervention.PlannedSchedule,
            Channels = ["email"],
            Start = new DateOnly(2026, 3, 1),
            End = new DateOnly(2026, 4, 30),
        };
        var population = new Population(new SimulationModel(new SimulationConfig { Interventions = [planned] }), Seed, Hcps, [], 2);
        var touch = new PlannedTouch(Guid.Parse("5e3f0a4e-1b0c-4a39-9d7e-0000000000a1"), planned.Id, 0, "email", new DateOnly(2026, 2, 20), null, null);
        var schedule = InterventionSchedule.Compile(population, [touch])!;
        Assert.True(schedule.IsTreated(0, 0));
        var sim = new Simulator(population, schedule);

        // Finding the first month to plan once looped for ever on such a touch (the engine takes it; the API refuses it).
        // Ranges whose first planned month (carryover months included) is on either side of the touch's and the start's.
        foreach (var from in new[] { new DateOnly(2026, 4, 1), new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 1), new DateOnly(2026, 7, 1) })
        {
            var block = await Task.Run(() => sim.EvaluateHcp(WindowStart, from, from.AddMonths(1).AddDays(-1), 0)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(block.Stimuli, x => x.InterventionId == planned.Id);
            Assert.NotEmpty(block.Stimuli);
        }
    }
}
