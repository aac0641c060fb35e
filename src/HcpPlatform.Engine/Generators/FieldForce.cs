using System.Collections.Concurrent;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>A rep visit as the field force plans it: the HCP, the local day and time, the rep, and the launch product of a launch visit.</summary>
internal readonly record struct FieldVisit(int Hcp, DateOnly Day, double LocalHour, Rep Rep, string? Launch);

/// <summary>
/// Rep visits, planned a week at a time for each overlay rep's group of primary territories (a pure function of the
/// population and the week, kept while an evaluation runs).
/// <list type="bullet">
/// <item>When: an HCP on a route day is due a visit at an occurrence when its visit clock, rate × Σ month factors in weeks
/// since 1990, passes a threshold i + φ + εᵢ since the route day's previous occurrence (φ uniform per HCP, εᵢ uniform in
/// ±<see cref="Jitter"/> per threshold): visits follow the HCP's cadence, on the days its rep works its state.</item>
/// <item>Where: a route day falling on a holiday moves to the week's next free weekday (else the previous one; else it is
/// skipped). An HCP is not seen on its personal blackout days.</item>
/// <item>Who: the overlay rep rides along on one route day a day (of its primaries' route days that day, the one with the
/// most of its HCPs due, at least <see cref="MinOverlayCalls"/>) and makes those HCPs' visits; the primary rep (or, in a scenario territory change, the rep working
/// the territory that day) makes the others.</item>
/// <item>What time: each rep's calls of a day in an order drawn for the day, the first between 08:00 and 09:30 local, then
/// 45–90 minutes apart (the call, the drive, the wait), compressed to end by 17:30; at most MaxRepVisitsPerDay calls (the
/// last in the order are dropped).</item>
/// </list>
/// </summary>
internal sealed class FieldForce
{
    /// <summary>Half-width of the uniform jitter of each visit threshold.</summary>
    public const double Jitter = 0.15;

    public const double DayStart = 8.0;
    public const double DayEnd = 17.5;

    /// <summary>The overlay rep rides along only where at least this many of its HCPs are due.</summary>
    public const int MinOverlayCalls = 2;

    private const int MaxCachedWeeks = 20_000;

    private readonly Population _population;
    private readonly Territories _t;
    private readonly long _seed;
    private readonly ScenarioDynamics _dynamics;
    private readonly IReadOnlyList<(ScenarioEvent Event, long Key)> _launches;
    private readonly int _capacity;
    private readonly bool _routeDays;
    private readonly bool _overlayRides;
    private readonly bool _holidayBlackout;
    /// <summary>The week plans by (overlay, week) as one number, <see cref="WeekKey"/> (hashing a pair was most of a look-up).</summary>
    private readonly ConcurrentDictionary<long, FieldVisit[]> _weeks = new();
    /// <summary>Per route day, what a week's plan asks of each of its HCPs, side by side (read for every HCP every week).</summary>
    private readonly RouteHcp[][] _routeHcps;

    /// <summary>
    /// An HCP on a route day: its visit rate, its personal blackout days (null: none) and the key prefix of its visit clock's
    /// streams.
    /// </summary>
    private readonly record struct RouteHcp(int Hcp, double VisitRate, int[]? Blackouts, ulong VisitKey, double Phase);

    public FieldForce(Population population, ScenarioDynamics dynamics)
    {
        _population = population;
        _t = population.Field;
        _seed = population.Seed;
        _dynamics = dynamics;
        _launches = dynamics.RepVisitLaunches();
        _capacity = population.Model.Config.MaxRepVisitsPerDay;
        _routeDays = !population.Model.Has(EngineFault.NoRepCityDay);
        _overlayRides = !population.Model.Has(EngineFault.InactiveOverlay);
        _holidayBlackout = !population.Model.Has(EngineFault.TouchesOnHolidays);
        _routeHcps = new RouteHcp[_t.RouteDays.Count][];
        for (var r = 0; r < _routeHcps.Length; r++)
        {
            _routeHcps[r] = [.. _t.RouteDays[r].Hcps.Select(h => new RouteHcp(h, population.Traits[h].VisitRate,
                population.Traits[h].Blackouts.Length == 0 ? null : population.Traits[h].Blackouts, KeyedRandom.Prefix(_seed, StreamKind.Visit, h),
                Phase(KeyedRandom.Prefix(_seed, StreamKind.Visit, h), 0)))];
        }
    }

    /// <summary>The visits an HCP is due on days in [<paramref name="from"/>, <paramref name="to"/>], in day order.</summary>
    public void VisitsOf(int hcp, DateOnly from, DateOnly to, List<FieldVisit> into)
    {
        into.Clear();
        var traits = _population.Traits[hcp];
        if (traits.VisitRate <= 0)
        {
            return; // a no-see HCP is never due
        }
        // An HCP is seen only on its route day, in the weeks that route day occurs (a holiday moves it within its week).
        var route = _t.RouteDays[traits.RouteDay];
        var overlay = _t.OverlayOfRep[traits.PrimaryRep];
        var visitKey = KeyedRandom.Prefix(_seed, StreamKind.Visit, hcp);
        var phase = Phase(visitKey, 0);
        for (var week = FieldCalendar.WeekOf(from); week <= FieldCalendar.WeekOf(to); week++)
        {
            // Nor in a week it is not due (what the week's plan asks first), unless a launch may make it due.
            if (!route.OccursIn(week) || (_launches.Count == 0
                && !Due(visitKey, phase, traits.VisitRate, FieldCalendar.Monday(week).AddDays(route.Weekday), route.PeriodWeeks, 0)))
            {
                continue;
            }
            var visits = Week(overlay, week);
            var lo = 0;
            var hi = visits.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (visits[mid].Hcp < hcp)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }
            for (var i = lo; i < visits.Length && visits[i].Hcp == hcp; i++)
            {
                if (visits[i].Day >= from && visits[i].Day <= to)
                {
                    into.Add(visits[i]);
                }
            }
        }
        into.Sort((a, b) => a.Day.CompareTo(b.Day));
    }

    /// <summary>
    /// The rep working an HCP's route day on <paramref name="day"/> (the primary rep, or the rep covering its territory) and
    /// that rep's regular calls of the day; null when the rep makes no regular call to an HCP of the route day that day (it
    /// is not in the HCP's state then). Intervention visits go only where this is set, within the rep's daily capacity.
    /// </summary>
    public (Rep Rep, int Calls)? RouteRep(int hcp, DateOnly day)
    {
        var traits = _population.Traits[hcp];
        var rep = _population.Reps[_dynamics.RepOn(traits.PrimaryRep, day)];
        var visits = Week(_t.OverlayOfRep[traits.PrimaryRep], FieldCalendar.WeekOf(day));
        var calls = 0;
        var onRoute = false;
        foreach (var v in visits)
        {
            if (v.Day == day && ReferenceEquals(v.Rep, rep))
            {
                calls++;
                var other = _population.Traits[v.Hcp];
                onRoute |= other.RouteDay == traits.RouteDay && other.PrimaryRep == traits.PrimaryRep;
            }
        }
        return onRoute ? (rep, calls) : null;
    }

    private FieldVisit[] Week(int overlay, long week)
    {
        var key = WeekKey(overlay, week);
        if (_weeks.TryGetValue(key, out var visits))
        {
            return visits;
        }
        if (_weeks.Count > MaxCachedWeeks)
        {
            _weeks.Clear();
        }
        return _weeks.GetOrAdd(key, static (_, state) => state.Self.Plan(state.Overlay, state.Week), (Self: this, Overlay: overlay, Week: week));
    }

    /// <summary>(overlay, week) as one number: weeks of any DateOnly are far within ±2³⁹.</summary>
    private static long WeekKey(int overlay, long week) => ((long)overlay << 40) + week;

    /// <summary>One route day's occurrence: its rep, day, and the HCPs due (with the launch product of a launch visit).</summary>
    private sealed record Occurrence(int Rep, RouteDay Route, DateOnly Day, List<(int Hcp, string? Launch)> Due);

    private FieldVisit[] Plan(int overlay, long week)
    {
        var monday = FieldCalendar.Monday(week);
        var occurrences = new List<Occurrence>();
        var routes = new List<RouteDay>();
        foreach (var r in _t.RepsOfOverlay[overlay])
        {
            // The rep's route days occurring this week, by weekday (stable: insertion after equal weekdays).
            routes.Clear();
            foreach (var i in _t.RouteDaysOfRep[r])
            {
                var d = _t.RouteDays[i];
                if (d.OccursIn(week))
                {
                    var at = routes.Count;
                    while (at > 0 && routes[at - 1].Weekday > d.Weekday)
                    {
                        at--;
                    }
                    routes.Insert(at, d);
                }
            }
            var taken = new bool[5];
            foreach (var d in routes)
            {
                taken[d.Weekday] = true;
            }
            foreach (var route in routes)
            {
                var weekday = route.Weekday;
                if (IsHoliday(monday.AddDays(weekday)))
                {
                    weekday = FreeWeekday(monday, taken, weekday);
                    if (weekday < 0)
                    {
                        continue;
                    }
                    taken[weekday] = true;
                }
                var day = monday.AddDays(weekday);
                var nominal = monday.AddDays(route.Weekday);
                var due = new List<(int, string?)>();
                var blackoutKey = day.Month * 100 + day.Day; // as HcpTraits.IsPersonalBlackout
                foreach (var hcp in _routeHcps[route.Index])
                {
                    if (hcp.VisitRate <= 0 || (hcp.Blackouts is { } blackouts && Array.IndexOf(blackouts, blackoutKey) >= 0))
                    {
                        continue;
                    }
                    var h = hcp.Hcp;
                    if (Due(hcp.VisitKey, hcp.Phase, hcp.VisitRate, nominal, route.PeriodWeeks, 0))
                    {
                        due.Add((h, null));
                        continue;
                    }
                    foreach (var (e, key) in _launches)
                    {
                        if (e.IsActive(day) && Due(KeyedRandom.Prefix(_seed, StreamKind.Dynamics, h), hcp.VisitRate * e.Magnitude, nominal, route.PeriodWeeks, key))
                        {
                            due.Add((h, e.LaunchProduct));
                            break;
                        }
                    }
                }
                if (due.Count > 0)
                {
                    occurrences.Add(new Occurrence(r, route, day, due));
                }
            }
        }

        var visits = new List<FieldVisit>();
        // The occurrences day by day, days in order of first appearance (as grouping them would).
        var days = new List<DateOnly>();
        foreach (var o in occurrences)
        {
            if (!days.Contains(o.Day))
            {
                days.Add(o.Day);
            }
        }
        foreach (var day in days)
        {
            // The overlay rep rides along where most of its HCPs are due that day.
            Occurrence? joined = null;
            var most = 0;
            foreach (var o in occurrences)
            {
                if (o.Day != day)
                {
                    continue;
                }
                var mine = 0;
                foreach (var d in o.Due)
                {
                    mine += _population.Traits[d.Hcp].OverlayRep == overlay ? 1 : 0;
                }
                if (_overlayRides && mine >= MinOverlayCalls && mine > most)
                {
                    (joined, most) = (o, mine);
                }
            }
            foreach (var o in occurrences)
            {
                if (o.Day != day)
                {
                    continue;
                }
                var rep = _population.Reps[_dynamics.RepOn(o.Rep, o.Day)];
                if (o != joined)
                {
                    Route(rep, o.Rep, o.Due, o.Day, visits);
                    continue;
                }
                var own = new List<(int Hcp, string? Launch)>();
                var ridden = new List<(int Hcp, string? Launch)>();
                foreach (var d in o.Due)
                {
                    (_population.Traits[d.Hcp].OverlayRep == overlay ? ridden : own).Add(d);
                }
                Route(rep, o.Rep, own, o.Day, visits);
                Route(_population.OverlayReps[overlay], 100_000 + overlay, ridden, o.Day, visits);
            }
        }
        visits.Sort((a, b) => a.Hcp != b.Hcp ? a.Hcp.CompareTo(b.Hcp) : a.Day.CompareTo(b.Day));
        return [.. visits];
    }

    /// <summary>
    /// One rep's calls of a day: in an order drawn for the rep and day (each HCP by its own draw, so one HCP more or less
    /// leaves the others' order alone), at most the daily capacity, timed along the day. Under fault NoRepCityDay each HCP's
    /// call moves to a weekday of the week drawn for the HCP.
    /// </summary>
    private void Route(Rep rep, int repKey, List<(int Hcp, string? Launch)> due, DateOnly day, List<FieldVisit> into)
    {
        if (due.Count == 0)
        {
            return;
        }
        if (!_routeDays)
        {
            foreach (var (h, launch) in due)
            {
                var rng = new KeyedRandom(_seed, StreamKind.Route, -1 - h, day.DayNumber);
                var monday = day.AddDays(-(SimDate.IsoWeekday(day) - 1));
                var own = monday.AddDays(rng.NextInt(5));
                if (!IsHoliday(own))
                {
                    into.Add(new FieldVisit(h, own, Math.Round((DayStart + rng.NextDouble() * (DayEnd - DayStart)) * 60) / 60, rep, launch));
                }
            }
            return;
        }
        // By each HCP's draw, then by HCP (a total order: an HCP is due once on a rep's day), the first _capacity of them.
        var all = new (double U, int Hcp, string? Launch)[due.Count];
        for (var i = 0; i < all.Length; i++)
        {
            var (h, launch) = due[i];
            all[i] = (new KeyedRandom(_seed, StreamKind.Route, repKey, day.DayNumber, h).NextDouble(), h, launch);
        }
        Array.Sort(all, static (a, b) => a.U != b.U ? a.U.CompareTo(b.U) : a.Hcp.CompareTo(b.Hcp));
        var order = all.AsSpan(0, Math.Clamp(_capacity, 0, all.Length));
        var times = new KeyedRandom(_seed, StreamKind.Route, repKey, day.DayNumber, -1);
        var start = DayStart + times.NextDouble() * 1.5;
        var gaps = new double[order.Length];
        var total = 0.0;
        for (var i = 1; i < order.Length; i++)
        {
            gaps[i] = times.Uniform(0.75, 1.5);
            total += gaps[i];
        }
        // The last call starts before DayEnd (a minute's room for rounding down to the minute).
        var last = DayEnd - 1.0 / 60;
        var scale = start + total > last ? (last - start) / total : 1.0;
        var hour = start;
        for (var i = 0; i < order.Length; i++)
        {
            hour += gaps[i] * scale;
            into.Add(new FieldVisit(order[i].Hcp, day, Math.Floor(hour * 60) / 60, rep, order[i].Launch));
        }
    }

    /// <summary>
    /// Whether a visit clock of <paramref name="rate"/> visits a week passes a threshold i + φ + εᵢ between the route day's
    /// previous occurrence and this one (nominal days); <paramref name="key"/> is the <see cref="KeyedRandom.Prefix"/> of the
    /// HCP's streams of the clock (seed, kind, HCP).
    /// </summary>
    private bool Due(ulong key, double rate, DateOnly nominal, int periodWeeks, long purpose) =>
        Due(key, Phase(key, purpose), rate, nominal, periodWeeks, purpose);

    /// <summary>The phase φ of a visit clock (<see cref="Due(ulong, double, DateOnly, int, long)"/>), fixed per HCP and purpose.</summary>
    private static double Phase(ulong key, long purpose) => KeyedRandom.FromPrefix(key, long.MinValue, purpose).NextDouble();

    /// <summary>As <see cref="Due(ulong, double, DateOnly, int, long)"/>, with the clock's <paramref name="phase"/> drawn once by the caller.</summary>
    private bool Due(ulong key, double phase, double rate, DateOnly nominal, int periodWeeks, long purpose)
    {
        var clock = _t.VisitClock;
        var at = nominal.DayNumber - FieldCalendar.ClockStart.DayNumber;
        var before = at - 7 * periodWeeks;
        if (before < 0 || at >= clock.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(nominal), $"{nominal:yyyy-MM-dd} is outside the field calendar ({FieldCalendar.ClockStart:yyyy} to {FieldCalendar.ClockEnd:yyyy}).");
        }
        var lo = rate * clock[before];
        var hi = rate * clock[at];
        var first = (long)Math.Floor(lo - phase - Jitter);
        var last = (long)Math.Ceiling(hi - phase + Jitter);
        // Each threshold has its own stream: skip the ends of the range whose threshold cannot fall in (lo, hi] whatever its
        // jitter (with a margin for rounding), rather than draw it.
        if (first + phase + Jitter < lo - 1e-9)
        {
            first++;
        }
        if (last + phase - Jitter > hi + 1e-9)
        {
            last--;
        }
        for (var i = first; i <= last; i++)
        {
            var threshold = i + phase + KeyedRandom.FromPrefix(key, i, purpose).Uniform(-Jitter, Jitter);
            if (threshold > lo && threshold <= hi)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The week's next weekday after <paramref name="weekday"/> that is free and no holiday, else the previous one, else −1.</summary>
    private int FreeWeekday(DateOnly monday, bool[] taken, int weekday)
    {
        for (var d = weekday + 1; d < 5; d++)
        {
            if (!taken[d] && !IsHoliday(monday.AddDays(d)))
            {
                return d;
            }
        }
        for (var d = weekday - 1; d >= 0; d--)
        {
            if (!taken[d] && !IsHoliday(monday.AddDays(d)))
            {
                return d;
            }
        }
        return -1;
    }

    private bool IsHoliday(DateOnly day) => _holidayBlackout && UsHolidays.IsBlackout(day);

}
