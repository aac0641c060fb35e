using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Tests;

public sealed class DeterminismTests
{
    private static readonly SimulationModel Model = new(new SimulationConfig());

    private static (List<StimulusEvent> S, List<OutcomeEvent> O, List<PrescribingHistory> R) Run(
        long seed, int hcps, DateOnly windowStart, DateOnly from, DateOnly to, int parallelism, int blockSize = 97)
    {
        var sim = new Simulator(new Population(Model, seed, hcps, [], parallelism));
        var s = new List<StimulusEvent>();
        var o = new List<OutcomeEvent>();
        var r = new List<PrescribingHistory>();
        foreach (var b in sim.Evaluate(windowStart, from, to, parallelism, blockSize))
        {
            s.AddRange(b.Stimuli);
            o.AddRange(b.Outcomes);
            r.AddRange(b.Rx);
        }
        return (s, o, r);
    }

    [Fact]
    public void Same_inputs_give_identical_rows_on_one_thread_or_many()
    {
        var asOf = new DateOnly(2026, 3, 15);
        var start = SimDate.WindowStart(asOf, 4);
        var one = Run(7, 400, start, start, asOf, parallelism: 1);
        var many = Run(7, 400, start, start, asOf, parallelism: 8, blockSize: 13);
        Assert.NotEmpty(one.S);
        Assert.Equal(RowText.All(one.S), RowText.All(many.S));
        Assert.Equal(RowText.All(one.O), RowText.All(many.O));
        Assert.Equal(RowText.All(one.R), RowText.All(many.R));

        var popA = new Population(Model, 7, 400, [], 1);
        var popB = new Population(Model, 7, 400, [], 4);
        Assert.Equal(RowText.All(popA.Profiles), RowText.All(popB.Profiles));
        Assert.Equal(RowText.All(popA.Traits.SelectMany(popA.TerritoryRows)), RowText.All(popB.Traits.SelectMany(popB.TerritoryRows)));
    }

    [Fact]
    public void Enrolled_hcps_are_listed_in_index_order_exactly_as_the_enrollment_test_accepts_them()
    {
        var population = new Population(Model, 7, 400, [], 1);
        var campaigns = population.Campaigns.Overlapping(new DateOnly(2025, 1, 1), new DateOnly(2026, 6, 30));
        Assert.NotEmpty(campaigns);
        foreach (var c in campaigns)
        {
            var tested = Enumerable.Range(0, population.Count).Where(h => population.IsEnrolled(c, h)).ToList();
            Assert.Equal(tested, population.EnrolledHcps(c));
            Assert.Equal(Enumerable.Range(0, tested.Count), tested.Select(h => population.EnrollmentOrdinal(c, h)));
        }
        Assert.Contains(campaigns, c => population.EnrolledHcps(c).Any(h => h >= 64));
    }

    [Fact]
    public void A_different_seed_gives_different_data()
    {
        var a = new Population(Model, 1, 50, [], 1);
        var b = new Population(Model, 2, 50, [], 1);
        Assert.NotEqual(a.Profiles.Select(p => p.Npi), b.Profiles.Select(p => p.Npi));
    }

    [Fact]
    public void A_larger_population_is_a_superset_of_a_smaller_one()
    {
        var small = new Population(Model, 42, 2000, [], Environment.ProcessorCount);
        var large = new Population(Model, 42, 2500, [], Environment.ProcessorCount);
        Assert.Equal(RowText.All(small.Profiles), RowText.All(large.Profiles.Take(2000)));
    }

    [Fact]
    public void Backfill_then_increments_equals_a_later_backfill_on_shared_days()
    {
        const int hcps = 300;
        const int months = 3;
        var t = new DateOnly(2026, 4, 27);
        const int k = 9; // crosses a month's end, so Rx rows arrive by increment too
        var startT = SimDate.WindowStart(t, months);
        var later = t.AddDays(k);
        var startLater = SimDate.WindowStart(later, months);

        var backfillT = Run(11, hcps, startT, startT, t, 2);
        var s = new List<StimulusEvent>(backfillT.S);
        var o = new List<OutcomeEvent>(backfillT.O);
        var r = new List<PrescribingHistory>(backfillT.R);
        for (var d = t.AddDays(1); d <= later; d = d.AddDays(1))
        {
            var inc = Run(11, hcps, startT, d, d, 2);
            s.AddRange(inc.S);
            o.AddRange(inc.O);
            r.AddRange(inc.R);
        }
        var backfillLater = Run(11, hcps, startLater, startLater, later, 2);

        var from = SimDate.StartUtc(startLater);
        var stimulusDay = s.ToDictionary(x => x.Id, x => x.EventDate);
        static List<string> Sorted<T>(IEnumerable<T> rows, Func<T, Guid> id) where T : notnull =>
            RowText.All(rows.OrderBy(id));

        Assert.Equal(Sorted(backfillLater.S, x => x.Id), Sorted(s.Where(x => x.EventDate >= from), x => x.Id));
        Assert.Equal(Sorted(backfillLater.O, x => x.Id), Sorted(o.Where(x => stimulusDay[x.StimulusId!.Value] >= from), x => x.Id));
        Assert.Equal(Sorted(backfillLater.R, x => x.Id), Sorted(r.Where(x => x.Month.AddMonths(1) > from), x => x.Id)); // rows written (on their month's last day) in the later window
        Assert.Contains(r, x => x.Month == new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc)); // April's, written by the increment of April 30

        // A day inside both windows: its stimuli, and their outcomes up to T, are identical in both backfills.
        var day = t.AddDays(-20);
        bool OnDay(DateTime e) => DateOnly.FromDateTime(e) == day;
        Assert.Equal(RowText.All(backfillT.S.Where(x => OnDay(x.EventDate))), RowText.All(backfillLater.S.Where(x => OnDay(x.EventDate))));
        var ids = backfillT.S.Where(x => OnDay(x.EventDate)).Select(x => x.Id).ToHashSet();
        Assert.NotEmpty(ids);
        Assert.Equal(
            RowText.All(backfillT.O.Where(x => ids.Contains(x.StimulusId!.Value)).OrderBy(x => x.Id)),
            RowText.All(backfillLater.O.Where(x => ids.Contains(x.StimulusId!.Value) && DateOnly.FromDateTime(x.EventDate) <= t).OrderBy(x => x.Id)));
    }

    [Fact]
    public void Ids_are_unique_across_tables()
    {
        var asOf = new DateOnly(2026, 2, 10);
        var start = SimDate.WindowStart(asOf, 3);
        var run = Run(3, 500, start, start, asOf, 2);
        var ids = run.S.Select(x => x.Id).Concat(run.O.Select(x => x.Id)).Concat(run.R.Select(x => x.Id)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(run.S, x => Assert.Equal(8, x.Id.Version));
    }
}
