using System.Runtime.InteropServices;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Interventions;
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
    /// <summary>What became of the planned touches dated in the range (interventions with a planned schedule).</summary>
    public List<PlannedTouchOutcome> PlannedTouches { get; } = [];
}

/// <summary>
/// History is the stream replayed: the events dated on a day are a pure function of
/// (configuration, seed, population, day). A backfill evaluates [window start, as-of]; a daily
/// increment evaluates one day. Stimuli dated in [from, to] are those of the month plans; outcomes dated
/// in [from, to] are those of stimuli on or after the window start; the Rx row of a month is written on
/// its last day, when the month is complete (so the window's first month, even when the window starts
/// inside it, gets its row, and the month of the as-of day gets none until it ends). Evaluation is parallel
/// over HCPs in fixed blocks and the result is independent of the degree of parallelism; memory holds one
/// block of events at a time.
/// </summary>
public sealed class Simulator
{
    /// <summary>Outcomes land at most this many days after their stimulus (the longest attribution window).</summary>
    private readonly int _maxWindowDays;
    private readonly Population _population;
    private readonly StimuliGenerator _stimuli;
    private readonly OutcomeGenerator _outcomes;
    private readonly RxGenerator _rx;
    /// <summary>Months before an Rx month whose touches and responses still lift it.</summary>
    private readonly int _carryoverMonths;
    private readonly int _drivers;
    /// <summary>The Rx driver of each engaged response type (by outcome type), or none.</summary>
    private readonly Dictionary<string, int> _responseDriver;
    private readonly bool _rxOnMonthStart;

    public Simulator(Population population, InterventionSchedule? interventions = null)
    {
        _population = population;
        _interventions = interventions ?? InterventionSchedule.Compile(population);
        _stimuli = new StimuliGenerator(population);
        _outcomes = new OutcomeGenerator(population);
        _rx = new RxGenerator(population);
        var config = population.Model.Config;
        _maxWindowDays = config.AttributionWindowDays.Values.Max();
        _carryoverMonths = config.RxCarryoverMonths;
        _drivers = RxDrivers.For(config).Count;
        _responseDriver = config.RxResponseLift.Keys.ToDictionary(k => k, k => RxDrivers.ResponseIndex(config, k), StringComparer.Ordinal);
        _rxOnMonthStart = population.Model.Has(EngineFault.RxOnMonthStart);
        _futureOutcomes = population.Model.Has(EngineFault.FutureOutcomes);
    }

    /// <summary>The dataset's interventions (null: none, and every output is exactly that of an engine without them).</summary>
    private readonly InterventionSchedule? _interventions;

    public InterventionSchedule? Interventions => _interventions;

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
                block.PlannedTouches.AddRange(b.PlannedTouches);
            }
            yield return block;
        }
    }

    /// <summary>The events of one HCP dated in [from, to] (single-threaded; used by tests and spot checks).</summary>
    public EventBlock EvaluateHcp(DateOnly windowStart, DateOnly from, DateOnly to, int hcp) =>
        EvaluateHcp(new RangeContext(this, windowStart, from, to), hcp);

    /// <summary>
    /// The events of one HCP dated in [from, to] in the world where its assignment to intervention <paramref name="flip"/>
    /// (an index of <see cref="Interventions"/>) is the other arm, everything else equal: a counterfactual.
    /// </summary>
    public EventBlock EvaluateHcpFlipped(DateOnly windowStart, DateOnly from, DateOnly to, int hcp, int flip) =>
        EvaluateHcp(new RangeContext(this, windowStart, from, to), hcp, flip);

    /// <summary>
    /// What evaluating the days [from, to] of a dataset whose window starts at <paramref name="windowStart"/> needs per month,
    /// the same for every HCP: build it once for many <see cref="EvaluateHcp(RangeContext, int, int)"/> calls (from any thread).
    /// </summary>
    internal RangeContext Range(DateOnly windowStart, DateOnly from, DateOnly to) => new(this, windowStart, from, to);

    /// <summary>
    /// The events of HCP <paramref name="h"/> dated in the context's range, in the world where its assignment to intervention
    /// <paramref name="flip"/> is the other arm (−1: the observed world). <paramref name="ctx"/> is one of this simulator's.
    /// </summary>
    internal EventBlock EvaluateHcp(RangeContext ctx, int h, int flip = -1)
    {
        var hi = _interventions?.For(h, flip);
        if (hi is not null)
        {
            return EvaluateHcpWithInterventions(ctx, h, hi);
        }
        var hcp = _population.Traits[h];
        var scratch = Lists ??= new Scratch();
        scratch.Begin();
        // The Rx drivers counted per planned month (delivered touches by channel, engaged responses by type, each in the
        // month of its own date), from the first planned month on; only needed when an Rx row is due in the range.
        var counts = ctx.HasRxMonth ? scratch.Counts((ctx.LastMonth - ctx.FirstMonth + 1) * _drivers) : [];
        var planned = scratch.Planned;
        _stimuli.PrepareVisits(h, ctx.FirstMonth, ctx.LastMonth);
        for (var month = ctx.FirstMonth; month <= ctx.LastMonth; month++)
        {
            _stimuli.PlanMonth(h, month, ctx.CampaignsFor(month), ctx.WebinarsFor(month), planned, ctx.RowsFrom, ctx.RowsTo);
            var plan = CollectionsMarshal.AsSpan(planned);
            for (var ordinal = 0; ordinal < plan.Length; ordinal++)
            {
                TakeTouch(ctx, hcp, month, plan[ordinal], month, ordinal, ordinal, counts, scratch);
            }
            if (ctx.IsRxMonth(month))
            {
                scratch.Rx.Add(RxRow(ctx, hcp, month, counts));
            }
        }
        return scratch.Result(h);
    }

    /// <summary>
    /// One touch of a month's plan, a regular one or an exposure, with <paramref name="touchesEarlier"/> touches before it in
    /// the month: counted as an Rx driver of its month when delivered; its responses, drawn under the keys
    /// (<paramref name="keyMonth"/>, <paramref name="keyOrdinal"/>), counted as drivers of theirs and kept when the range
    /// reports them; its row kept when dated in range. A touch dated outside [RowsFrom, RowsTo] has no row of its own (neither
    /// it nor a response to it is dated in range): it only counts, and its responses are dated only.
    /// </summary>
    private void TakeTouch(RangeContext ctx, HcpTraits hcp, int month, in PlannedStimulus stimulus, long keyMonth, long keyOrdinal, int touchesEarlier,
        Span<int> counts, Scratch scratch)
    {
        var s = stimulus.Row;
        var day = DateOnly.FromDateTime(s.EventDate);
        if (counts.Length > 0 && s.DeliveryStatus == "delivered")
        {
            counts[(month - ctx.FirstMonth) * _drivers + Channel.IndexOf(s.Channel)]++;
        }
        if (day < ctx.RowsFrom || day > ctx.RowsTo)
        {
            if (counts.Length > 0)
            {
                var months = ctx.LastMonth - ctx.FirstMonth + 1;
                var dates = scratch.Dates;
                dates.Clear();
                _outcomes.RespondDates(hcp, keyMonth, keyOrdinal, touchesEarlier, stimulus, dates);
                foreach (var d in dates)
                {
                    var m = SimDate.MonthNumber(DateOnly.FromDateTime(d.EventDate)) - ctx.FirstMonth;
                    if (m < months)
                    {
                        counts[m * _drivers + _responseDriver[d.OutcomeType]]++;
                    }
                }
            }
            return;
        }
        var responses = scratch.PlannedOutcomes;
        responses.Clear();
        _outcomes.Respond(hcp, keyMonth, keyOrdinal, touchesEarlier, stimulus, responses);
        TakeOutcomes(ctx, day, responses, counts, scratch.EmittedOutcomes);
        if (day >= ctx.From && day <= ctx.To && day >= ctx.WindowStart)
        {
            s.Metadata = StimulusDetails.Metadata(hcp, stimulus);
            scratch.Stimuli.Add(s);
        }
    }

    /// <summary>
    /// Counts a touch's responses as Rx drivers of the months they are dated in, and keeps those the range reports (nothing
    /// from the future: an outcome after the last day evaluated comes with the day it falls on).
    /// </summary>
    private void TakeOutcomes(RangeContext ctx, DateOnly touchDay, List<OutcomeEvent> responses, Span<int> counts, List<OutcomeEvent> into)
    {
        var months = ctx.LastMonth - ctx.FirstMonth + 1;
        foreach (var o in responses)
        {
            var outcomeDay = DateOnly.FromDateTime(o.EventDate);
            if (counts.Length > 0 && _responseDriver.TryGetValue(o.OutcomeType, out var driver))
            {
                var m = SimDate.MonthNumber(outcomeDay) - ctx.FirstMonth;
                if (m < months)
                {
                    counts[m * _drivers + driver]++;
                }
            }
            if (touchDay >= ctx.WindowStart && outcomeDay >= ctx.From && (outcomeDay <= ctx.To || _futureOutcomes))
            {
                into.Add(o);
            }
        }
    }

    /// <summary>
    /// A month's Rx row, written on its last day once everything that lifts it has happened: its own month and the carryover
    /// months before it are planned by now (responses dated in a month answer touches of it or earlier).
    /// </summary>
    private PrescribingHistory RxRow(RangeContext ctx, HcpTraits hcp, int month, Span<int> counts)
    {
        var first = Math.Max(0, month - _carryoverMonths - ctx.FirstMonth);
        return _rx.Generate(hcp, month, counts.Slice(first * _drivers, (month - ctx.FirstMonth - first + 1) * _drivers));
    }

    // Working lists reused by the thread's next HCP: an evaluation goes through every HCP. The HCP's rows are gathered in them
    // and copied to lists of their exact size at the end (growing a list per HCP was most of the block's garbage).
    [ThreadStatic]
    private static Scratch? Lists;

    private sealed class Scratch
    {
        private int[] _counts = [];

        public List<PlannedStimulus> Planned { get; } = new(32);
        public List<OutcomeEvent> PlannedOutcomes { get; } = new(8);
        public List<StimulusEvent> Stimuli { get; } = new(64);
        public List<OutcomeEvent> EmittedOutcomes { get; } = new(16);
        public List<PrescribingHistory> Rx { get; } = new(12);
        public List<ResponseDate> Dates { get; } = new(4);

        /// <summary>Empties the lists an HCP's rows are gathered in.</summary>
        public void Begin()
        {
            Stimuli.Clear();
            EmittedOutcomes.Clear();
            Rx.Clear();
        }

        /// <summary>HCP <paramref name="h"/>'s rows gathered since <see cref="Begin"/>, in lists of their own and exact size.</summary>
        public EventBlock Result(int h)
        {
            var result = new EventBlock { HcpFrom = h, HcpTo = h + 1 };
            result.Stimuli.EnsureCapacity(Stimuli.Count);
            result.Stimuli.AddRange(Stimuli);
            result.Outcomes.EnsureCapacity(EmittedOutcomes.Count);
            result.Outcomes.AddRange(EmittedOutcomes);
            result.Rx.EnsureCapacity(Rx.Count);
            result.Rx.AddRange(Rx);
            return result;
        }

        /// <summary>A zeroed span of <paramref name="length"/> counts.</summary>
        public Span<int> Counts(int length)
        {
            if (_counts.Length < length)
            {
                _counts = new int[length];
            }
            var counts = _counts.AsSpan(0, length);
            counts.Clear();
            return counts;
        }
    }

    /// <summary>
    /// <see cref="EvaluateHcp(RangeContext, int, int)"/> for an HCP with interventions: its months are planned from the first one
    /// its exposures depend on (<see cref="InterventionSchedule.FirstMonthFor"/>; months before the range's own are planned
    /// for that state only), each month's exposures placed after its regular plan, and the two merged in time order: a
    /// touch's fatigue counts every touch before it, while its draws keep their keys (regular: month and ordinal).
    /// </summary>
    private EventBlock EvaluateHcpWithInterventions(RangeContext ctx, int h, HcpInterventions hi)
    {
        var hcp = _population.Traits[h];
        var scratch = Lists ??= new Scratch();
        scratch.Begin();
        var counts = ctx.HasRxMonth ? scratch.Counts((ctx.LastMonth - ctx.FirstMonth + 1) * _drivers) : [];
        var planned = scratch.Planned;
        var first = _interventions!.FirstMonthFor(hi, ctx.FirstMonth);
        _stimuli.PrepareVisits(h, first, ctx.LastMonth);
        for (var month = first; month <= ctx.LastMonth; month++)
        {
            _stimuli.PlanMonth(h, month, ctx.CampaignsFor(month), ctx.WebinarsFor(month), planned, ctx.RowsFrom, ctx.RowsTo);
            var exposures = _stimuli.PlaceExposures(month, planned, hi);
            if (month < ctx.FirstMonth)
            {
                continue;
            }
            var plan = CollectionsMarshal.AsSpan(planned);
            var regular = 0;
            var extra = 0;
            for (var position = 0; position < plan.Length + exposures.Count; position++)
            {
                if (extra >= exposures.Count || (regular < plan.Length && plan[regular].Row.EventDate <= exposures[extra].Planned.Row.EventDate))
                {
                    TakeTouch(ctx, hcp, month, plan[regular], month, regular, position, counts, scratch);
                    regular++;
                }
                else
                {
                    var exposure = exposures[extra];
                    TakeTouch(ctx, hcp, month, exposure.Planned, exposure.KeyDay, exposure.KeyOrdinal, position, counts, scratch);
                    extra++;
                }
            }
            if (ctx.IsRxMonth(month))
            {
                scratch.Rx.Add(RxRow(ctx, hcp, month, counts));
            }
        }
        var result = scratch.Result(h);
        // Planned touches are decided on their (local) day: reported when that day is in range.
        var windowFrom = ctx.From < ctx.WindowStart ? ctx.WindowStart : ctx.From;
        foreach (var p in hi.Planned)
        {
            if (p.Day < windowFrom || p.Day > ctx.To)
            {
                continue;
            }
            var outcome = hi.Outcomes.Find(o => o.PlannedTouchId == p.Id)
                ?? new PlannedTouchOutcome(p.Id, false, PlannedTouchOutcome.OutsideWindow, null);
            result.PlannedTouches.Add(outcome);
        }
        return result;
    }

    /// <summary>What one evaluation needs per month, computed once and shared by all HCPs.</summary>
    internal sealed class RangeContext
    {
        /// <summary>The inputs of the months FirstMonth to LastMonth, in order.</summary>
        private readonly MonthInputs[] _months;
        private readonly int _firstRxMonth;
        private readonly int _lastRxMonth;

        public RangeContext(Simulator sim, DateOnly windowStart, DateOnly from, DateOnly to)
        {
            _sim = sim;
            WindowStart = windowStart;
            From = from;
            To = to;
            LastMonth = SimDate.MonthNumber(to);
            // The months whose Rx row falls in range: written on the month's last day (the fault RxOnMonthStart: its first),
            // within [from, to] and the window.
            var emitFrom = from < windowStart ? windowStart : from;
            (_firstRxMonth, _lastRxMonth) = (int.MaxValue, int.MinValue);
            for (var m = SimDate.MonthNumber(emitFrom); m <= LastMonth; m++)
            {
                var start = SimDate.MonthStart(m);
                var day = sim._rxOnMonthStart ? start : start.AddDays(SimDate.DaysInMonth(m) - 1);
                if (day >= emitFrom && day <= to)
                {
                    _firstRxMonth = Math.Min(_firstRxMonth, m);
                    _lastRxMonth = Math.Max(_lastRxMonth, m);
                }
            }
            HasRxMonth = _firstRxMonth <= _lastRxMonth;
            // Plans reach back far enough for outcomes landing in range (longest window) and, when an Rx row is due, for the
            // touches and responses of its carryover months (a response dated in the earliest one may answer a touch up to the
            // longest attribution window before it; the fault RxOnMonthStart lifts a month written on its first day by the months
            // before it), plus a day each: a touch's local day may be the day before its UTC day. The carryover reaches at least
            // two months back, further than the 30-day engagement lookback of the earlier Rx model.
            FirstMonth = SimDate.MonthNumber(from.AddDays(-(1 + sim._maxWindowDays)));
            if (HasRxMonth)
            {
                var earliest = _firstRxMonth - sim._carryoverMonths - (sim._rxOnMonthStart ? 1 : 0);
                FirstMonth = Math.Min(FirstMonth, SimDate.MonthNumber(SimDate.MonthStart(earliest).AddDays(-(1 + sim._maxWindowDays))));
            }
            var config = sim._population.Model.Config;
            // The touches that need rows: those emitted, and those a response in range may answer (up to the longest window, or
            // the webinar lead for an attendance, before the range, plus a margin of days for local and UTC days); the others are
            // planned for the Rx drivers only.
            var reach = Math.Max(sim._maxWindowDays, config.WebinarInviteLeadDays) + 2;
            RowsFrom = from.AddDays(-reach) > windowStart ? from.AddDays(-reach) : windowStart;
            RowsTo = sim._futureOutcomes ? DateOnly.MaxValue : to;
            _months = new MonthInputs[LastMonth - FirstMonth + 1];
            for (var m = FirstMonth; m <= LastMonth; m++)
            {
                _months[m - FirstMonth] = MonthInputs.Of(sim, m);
            }
        }

        public DateOnly WindowStart { get; }
        public DateOnly From { get; }
        public DateOnly To { get; }
        public int FirstMonth { get; }
        public int LastMonth { get; }
        public bool HasRxMonth { get; }
        /// <summary>The UTC days of the touches that get rows (see <see cref="StimuliGenerator.PlanMonth(int, int, IReadOnlyList{CampaignPlan}, IReadOnlyList{DateOnly}, List{PlannedStimulus}, DateOnly, DateOnly)"/>).</summary>
        public DateOnly RowsFrom { get; }
        public DateOnly RowsTo { get; }

        /// <summary>Whether the month's Rx row is written in range.</summary>
        public bool IsRxMonth(int month) => month >= _firstRxMonth && month <= _lastRxMonth;

        public IReadOnlyList<CampaignPlan> CampaignsFor(int month) => Month(month).Campaigns;

        public IReadOnlyList<DateOnly> WebinarsFor(int month) => Month(month).Webinars;

        /// <summary>A month's inputs: the range's own from the array, the others (months before it) from <see cref="_earlier"/>.</summary>
        private MonthInputs Month(int month) =>
            (uint)(month - FirstMonth) < (uint)_months.Length ? _months[month - FirstMonth] : _earlier.GetOrAdd(month, static (m, sim) => MonthInputs.Of(sim, m), _sim);

        // Months before the range's first (an intervention's exposures need them): computed when first asked, shared.
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, MonthInputs> _earlier = new();
        private readonly Simulator _sim;

        /// <summary>What planning a month takes that is the same for every HCP: the campaigns running in it and the webinars invited to in it.</summary>
        private readonly record struct MonthInputs(IReadOnlyList<CampaignPlan> Campaigns, IReadOnlyList<DateOnly> Webinars)
        {
            public static MonthInputs Of(Simulator sim, int month)
            {
                var start = SimDate.MonthStart(month);
                var end = start.AddDays(SimDate.DaysInMonth(month) - 1);
                return new(sim._population.Campaigns.Overlapping(start, end),
                    WebinarCalendar.EventsInvitedBetween(sim._population.Seed, start, end, sim._population.Model.Config.WebinarInviteLeadDays).ToArray());
            }
        }
    }
}
