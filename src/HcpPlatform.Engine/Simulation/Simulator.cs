using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;

namespace HcpPlatform.Engine.Simulation;

/// <summary>The events of a range of HCPs over a range of days.</summary>
public sealed class EventBlock
{
    public int HcpFrom { get; init; }
    public int HcpTo { get; init; }
    public List<StimulusEvent> Stimuli { get; } = [];
    public List<OutcomeEvent> Outcomes { get; } = [];
    public List<PrescribingHistory> Rx { get; } = [];
}

/// <summary>
/// History is the stream replayed: the events dated on a day are a pure function of
/// (configuration, seed, population, day). A backfill evaluates [window start, as-of]; a daily
/// increment evaluates one day. Stimuli dated in [from, to] are those of the month plans; outcomes dated
/// in [from, to] are those of stimuli on or after the window start; the Rx row of a month is written on
/// its first day. Evaluation is parallel over HCPs in fixed blocks and the result is independent of the
/// degree of parallelism; memory holds one block of events at a time.
/// </summary>
public sealed class Simulator
{
    /// <summary>Outcomes land at most this many days after their stimulus (the longest attribution window).</summary>
    private readonly int _maxWindowDays;
    private readonly Population _population;
    private readonly StimuliGenerator _stimuli;
    private readonly OutcomeGenerator _outcomes;
    private readonly RxGenerator _rx;

    public Simulator(Population population)
    {
        _population = population;
        _stimuli = new StimuliGenerator(population);
        _outcomes = new OutcomeGenerator(population);
        _rx = new RxGenerator(population);
        _maxWindowDays = population.Model.Config.AttributionWindowDays.Values.Max();
        _futureOutcomes = population.Model.Has(EngineFault.FutureOutcomes);
    }

    /// <summary>Fault FutureOutcomes (tests only): outcomes are written with their touch's day even when they fall later.</summary>
    private readonly bool _futureOutcomes;

    public Population Population => _population;

    /// <summary>Streams the events dated in [from, to] of a dataset whose window starts at <paramref name="windowStart"/>, one block of HCPs at a time, in HCP order.</summary>
    public IEnumerable<EventBlock> Evaluate(DateOnly windowStart, DateOnly from, DateOnly to, int parallelism, int blockSize = 2048, CancellationToken cancellationToken = default) =>
        Evaluate(windowStart, from, to, new HcpSlice(0, _population.Count), parallelism, blockSize, cancellationToken);

    /// <summary>
    /// As <see cref="Evaluate(DateOnly, DateOnly, DateOnly, int, int, CancellationToken)"/>, for the HCPs of <paramref name="hcps"/>
    /// only (a shard): an HCP's events depend on it and the population, never on which other HCPs are evaluated.
    /// </summary>
    public IEnumerable<EventBlock> Evaluate(DateOnly windowStart, DateOnly from, DateOnly to, HcpSlice hcps, int parallelism, int blockSize, CancellationToken cancellationToken = default)
    {
        if (to < from)
        {
            yield break;
        }
        if (hcps.From < 0 || hcps.To > _population.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(hcps), $"The slice [{hcps.From}, {hcps.To}) is not within the population's {_population.Count} HCPs.");
        }
        var context = new RangeContext(this, windowStart, from, to);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken };
        for (var start = hcps.From; start < hcps.To; start += blockSize)
        {
            var end = Math.Min(hcps.To, start + blockSize);
            var perHcp = new EventBlock[end - start];
            Parallel.For(start, end, options, h => perHcp[h - start] = EvaluateHcp(context, h));
            var block = new EventBlock { HcpFrom = start, HcpTo = end };
            block.Stimuli.EnsureCapacity(perHcp.Sum(b => b.Stimuli.Count));
            block.Outcomes.EnsureCapacity(perHcp.Sum(b => b.Outcomes.Count));
            block.Rx.EnsureCapacity(perHcp.Sum(b => b.Rx.Count));
            foreach (var b in perHcp)
            {
                block.Stimuli.AddRange(b.Stimuli);
                block.Outcomes.AddRange(b.Outcomes);
                block.Rx.AddRange(b.Rx);
            }
            yield return block;
        }
    }

    /// <summary>The events of one HCP dated in [from, to] (single-threaded; used by tests and spot checks).</summary>
    public EventBlock EvaluateHcp(DateOnly windowStart, DateOnly from, DateOnly to, int hcp) =>
        EvaluateHcp(new RangeContext(this, windowStart, from, to), hcp);

    private EventBlock EvaluateHcp(RangeContext ctx, int h)
    {
        var hcp = _population.Traits[h];
        var result = new EventBlock { HcpFrom = h, HcpTo = h + 1 };
        var engagedDays = new List<int>();
        var plannedOutcomes = new List<OutcomeEvent>();
        for (var month = ctx.FirstMonth; month <= ctx.LastMonth; month++)
        {
            var monthStart = SimDate.MonthStart(month);
            // Rx for a month is written on its first day from the 30 days before it: all earlier months are planned by now.
            if (monthStart >= ctx.From && monthStart <= ctx.To && monthStart >= ctx.WindowStart)
            {
                var lo = monthStart.DayNumber - 30;
                var engaged = 0;
                foreach (var d in engagedDays)
                {
                    if (d >= lo && d < monthStart.DayNumber)
                    {
                        engaged++;
                    }
                }
                result.Rx.Add(_rx.Generate(hcp, month, engaged));
            }
            if (!ctx.NeedsPlan(month))
            {
                continue;
            }
            var plan = _stimuli.PlanMonth(h, month, ctx.CampaignsFor(month), ctx.WebinarsFor(month));
            for (var ordinal = 0; ordinal < plan.Count; ordinal++)
            {
                var s = plan[ordinal].Row;
                var day = DateOnly.FromDateTime(s.EventDate);
                plannedOutcomes.Clear();
                _outcomes.Respond(hcp, month, ordinal, plan[ordinal], plannedOutcomes);
                foreach (var o in plannedOutcomes)
                {
                    if (OutcomeGenerator.IsEngaged(o.OutcomeType))
                    {
                        engagedDays.Add(DateOnly.FromDateTime(o.EventDate).DayNumber);
                    }
                    var outcomeDay = DateOnly.FromDateTime(o.EventDate);
                    // Nothing from the future: an outcome after the last day evaluated comes with the day it falls on.
                    if (day >= ctx.WindowStart && outcomeDay >= ctx.From && (outcomeDay <= ctx.To || _futureOutcomes))
                    {
                        result.Outcomes.Add(o);
                    }
                }
                if (day >= ctx.From && day <= ctx.To && day >= ctx.WindowStart)
                {
                    result.Stimuli.Add(s);
                }
            }
        }
        return result;
    }

    /// <summary>What one evaluation needs per month, computed once and shared by all HCPs.</summary>
    private sealed class RangeContext
    {
        private readonly Dictionary<int, IReadOnlyList<CampaignPlan>> _campaigns = [];
        private readonly Dictionary<int, IReadOnlyList<DateOnly>> _webinars = [];
        private readonly int _lastRxOnlyMonth;

        public RangeContext(Simulator sim, DateOnly windowStart, DateOnly from, DateOnly to)
        {
            WindowStart = windowStart;
            From = from;
            To = to;
            // Plans reach back far enough for outcomes landing in range (longest window) and for the
            // 30-day engagement lookback of any Rx month in range (whose stimuli are up to a window earlier), plus a day:
            // a touch's local day may be the day before its UTC day.
            FirstMonth = SimDate.MonthNumber(from.AddDays(-(31 + sim._maxWindowDays)));
            LastMonth = SimDate.MonthNumber(to);
            _lastRxOnlyMonth = SimDate.MonthNumber(from.AddDays(-(1 + sim._maxWindowDays))) - 1;
            var config = sim._population.Model.Config;
            for (var m = FirstMonth; m <= LastMonth; m++)
            {
                var start = SimDate.MonthStart(m);
                var end = start.AddDays(SimDate.DaysInMonth(m) - 1);
                _campaigns[m] = sim._population.Campaigns.Overlapping(start, end);
                _webinars[m] = WebinarCalendar.EventsInvitedBetween(sim._population.Seed, start, end, config.WebinarInviteLeadDays).ToArray();
            }
            HasRxMonth = Enumerable.Range(FirstMonth, LastMonth - FirstMonth + 1)
                .Any(m => SimDate.MonthStart(m) >= from && SimDate.MonthStart(m) <= to);
        }

        public DateOnly WindowStart { get; }
        public DateOnly From { get; }
        public DateOnly To { get; }
        public int FirstMonth { get; }
        public int LastMonth { get; }
        private bool HasRxMonth { get; }

        /// <summary>Months too early to land an outcome in range matter only for an Rx lookback.</summary>
        public bool NeedsPlan(int month) => month > _lastRxOnlyMonth || HasRxMonth;

        public IReadOnlyList<CampaignPlan> CampaignsFor(int month) => _campaigns[month];

        public IReadOnlyList<DateOnly> WebinarsFor(int month) => _webinars[month];
    }
}
