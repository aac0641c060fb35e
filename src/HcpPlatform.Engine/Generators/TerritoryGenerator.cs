using Bogus;
using Bogus.DataSets;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

public sealed record Rep(int Index, string Id, string Name, string Territory, string Region);

/// <summary>
/// One day of a primary rep's route: the rep's HCPs in one state it sees on that day, every <see cref="PeriodWeeks"/>
/// weeks on <see cref="Weekday"/> (0 = Monday) of the weeks whose number (since <see cref="FieldCalendar.Epoch"/>) is
/// <see cref="Phase"/> modulo the period. A rep works one state a day by construction.
/// </summary>
public sealed class RouteDay
{
    public required int Index { get; init; }
    public required int Rep { get; init; }
    public required string State { get; init; }
    public required int[] Hcps { get; init; }
    /// <summary>Weeks between two occurrences: 1, 2, 4 or 8.</summary>
    public int PeriodWeeks { get; set; }
    /// <summary>0 = Monday … 4 = Friday; −1 when the rep's timetable had no room (the route day never occurs).</summary>
    public int Weekday { get; set; } = -1;
    public int Phase { get; set; }
    /// <summary>Expected visits a week (at a month factor of 1) of its HCPs.</summary>
    public double WeeklyLoad { get; init; }

    public bool OccursIn(long week) => Weekday >= 0 && ((week % PeriodWeeks) + PeriodWeeks) % PeriodWeeks == Phase;
}

/// <summary>The field force of a population: primary reps with their route days, and the overlay reps riding with them.</summary>
public sealed class Territories
{
    public required IReadOnlyList<Rep> Reps { get; init; }
    public required IReadOnlyList<Rep> OverlayReps { get; init; }
    public required IReadOnlyList<RouteDay> RouteDays { get; init; }
    /// <summary>Per primary rep, its route days (indexes into <see cref="RouteDays"/>).</summary>
    public required int[][] RouteDaysOfRep { get; init; }
    /// <summary>Per primary rep, the overlay rep of its territory group.</summary>
    public required int[] OverlayOfRep { get; init; }
    /// <summary>Per overlay rep, the primary reps whose territories it covers.</summary>
    public required int[][] RepsOfOverlay { get; init; }
    /// <summary>Cumulative month factor of rep visits, in weeks, per day since <see cref="FieldCalendar.ClockStart"/>.</summary>
    internal double[] VisitClock { get; init; } = [];
}

/// <summary>The calendar the field force plans on.</summary>
public static class FieldCalendar
{
    /// <summary>Week 0 starts on this Monday.</summary>
    public static readonly DateOnly Epoch = new(2000, 1, 3);

    /// <summary>First day of the visit clock; it runs to the end of <see cref="ClockEnd"/>.</summary>
    public static readonly DateOnly ClockStart = new(1990, 1, 1);

    public static readonly DateOnly ClockEnd = new(2110, 12, 31);

    public static long WeekOf(DateOnly day) => (long)Math.Floor((day.DayNumber - Epoch.DayNumber) / 7.0);

    public static DateOnly Monday(long week) => Epoch.AddDays((int)(week * 7));
}

/// <summary>
/// Territories (000 Task 5) as a field force works them. Each region's HCPs, ordered west to east (state population
/// centre, then state, city), are split evenly among round(region's HCPs / HcpsPerRep) primary reps (at least one), so a
/// territory never leaves its region. A rep's HCPs are grouped by state into route days sized for about CallsPerFieldDay
/// visits (a large state's HCPs over several weekly route days, a small state's on one route day every 2, 4 or 8 weeks),
/// laid on an 8-week timetable of weekdays, one route day a day. Overlay (specialty) reps, one per OverlayTerritoriesPerRep
/// primary territories of a region, cover the HCPs with an overlay assignment and ride along on their primaries' route days.
/// An HCP's visit rate (visits a week) is its channel mean × (0.5 + affinity) / mean × its tier's field volume (0 when
/// no-see), at most <see cref="MaxDuePerOccurrence"/> per occurrence of its route day at the highest month factor.
/// </summary>
public static class TerritoryGenerator
{
    /// <summary>An HCP is due at most this many visits per occurrence of its route day (so never two at once).</summary>
    public const double MaxDuePerOccurrence = 0.7;

    /// <summary>A route day's expected calls at most this multiple of CallsPerFieldDay (room for the quarter-end push under capacity).</summary>
    private const double MaxLoad = 1.25;

    /// <summary>Route-day periods, in weeks; the timetable repeats every <see cref="Cycle"/> weeks.</summary>
    private static readonly int[] Periods = [1, 2, 4, 8];
    private const int Cycle = 8;

    public static Territories Assign(SimulationModel model, long seed, HcpTraits[] hcps)
    {
        var cfg = model.Config;
        var quarterPush = !model.Has(EngineFault.NoQuarterEndPush);
        var ignoreAffinity = model.Has(EngineFault.VolumeIgnoresAffinity);
        var flatTiers = model.Has(EngineFault.NoTierTargeting);
        var weeklyMean = model.MonthlyMean[Channel.RepVisit] * 12 / 52.1775;
        var tierVolume = new double[3];
        for (var t = 0; t < 3; t++)
        {
            tierVolume[t] = flatTiers ? 1 : model.TierVolume[Channel.RepVisit, t];
        }
        foreach (var h in hcps)
        {
            var seesReps = h.Limits[Channel.RepVisit].MaxPerMonth > 0 || model.Has(EngineFault.IgnoreNoSee);
            var affinity = ignoreAffinity ? model.AffinityNorm[Channel.RepVisit] - 0.5 : h.Affinity[Channel.RepVisit];
            h.VisitRate = seesReps ? weeklyMean * (0.5 + affinity) / model.AffinityNorm[Channel.RepVisit] * tierVolume[h.Tier] : 0;
        }

        var reps = new List<Rep>();
        var overlays = new List<Rep>();
        var repsOfOverlay = new List<int[]>();
        var overlayOfRep = new List<int>();
        var members = new List<HcpTraits[]>();
        foreach (var region in hcps.Select(h => h.Region).Distinct().Order(StringComparer.Ordinal))
        {
            var order = hcps.Where(h => h.Region == region)
                .OrderBy(h => Geography.LongitudeOf(h.State))
                .ThenBy(h => h.State, StringComparer.Ordinal)
                .ThenBy(h => h.City, StringComparer.Ordinal)
                .ThenBy(h => h.Index)
                .ToArray();
            var n = order.Length;
            var count = Math.Max(1, (int)Math.Floor(n / cfg.HcpsPerRep + 0.5));
            var firstRep = reps.Count;
            for (var k = 0; k < count; k++)
            {
                // Even split: rep k covers sorted positions [k*n/R, (k+1)*n/R).
                var part = order[(int)((long)k * n / count)..(int)((long)(k + 1) * n / count)];
                var r = reps.Count;
                foreach (var h in part)
                {
                    h.PrimaryRep = r;
                }
                members.Add(part);
                reps.Add(new Rep(r, $"REP-{r + 1:D5}", RepName(seed, r), $"{region}-{part[0].State}-{r + 1:D4}", region));
            }
            var overlayCount = Math.Max(1, (int)Math.Floor(count / cfg.OverlayTerritoriesPerRep + 0.5));
            for (var g = 0; g < overlayCount; g++)
            {
                var o = overlays.Count;
                var group = Enumerable.Range(firstRep + g * count / overlayCount, (g + 1) * count / overlayCount - g * count / overlayCount).ToArray();
                overlays.Add(new Rep(o, $"OVL-{o + 1:D4}", RepName(seed, 100_000 + o), $"{region} Overlay {g + 1}", region));
                repsOfOverlay.Add(group);
                overlayOfRep.AddRange(group.Select(_ => o));
            }
        }
        foreach (var h in hcps)
        {
            h.OverlayRep = HasOverlay(model, seed, h.Index) ? overlayOfRep[h.PrimaryRep] : -1;
        }

        var qMax = quarterPush ? Enumerable.Range(0, 12).Max(m => model.QuarterFactor[Channel.RepVisit, m]) : 1.0;
        var routeDays = new List<RouteDay>();
        var routeDaysOfRep = new int[reps.Count][];
        for (var r = 0; r < reps.Count; r++)
        {
            var own = BuildRouteDays(cfg.CallsPerFieldDay, MaxDuePerOccurrence / qMax, r, members[r], routeDays.Count);
            Timetable(seed, r, own);
            foreach (var day in own)
            {
                // At most MaxDuePerOccurrence due per occurrence, so an HCP is never due twice on one route day.
                var cap = day.Weekday < 0 ? 0 : MaxDuePerOccurrence / (day.PeriodWeeks * qMax);
                foreach (var h in day.Hcps)
                {
                    hcps[h].RouteDay = day.Index;
                    hcps[h].VisitRate = Math.Min(hcps[h].VisitRate, cap);
                }
            }
            routeDaysOfRep[r] = own.Select(d => d.Index).ToArray();
            routeDays.AddRange(own);
        }

        return new Territories
        {
            Reps = reps,
            OverlayReps = overlays,
            RouteDays = routeDays,
            RouteDaysOfRep = routeDaysOfRep,
            OverlayOfRep = [.. overlayOfRep],
            RepsOfOverlay = [.. repsOfOverlay],
            VisitClock = VisitClock(model, quarterPush),
        };
    }

    /// <summary>
    /// A rep's HCPs (in territory order) by state: a state whose HCPs are due at least ¾ of a field day's calls a week gets
    /// round(load / calls) weekly route days (more if one would exceed 1.25 field days' calls) of about equal load, split in
    /// city order; a smaller one a single route day every 1, 2, 4 or 8 weeks, the period that brings its load per occurrence
    /// closest to a field day's calls without exceeding 1.25 of them, and short enough that its most-visited HCP is due at most
    /// <paramref name="maxDue"/> visits per occurrence (so an HCP's visit rate is never cut by its route day's period).
    /// </summary>
    private static List<RouteDay> BuildRouteDays(double calls, double maxDue, int rep, HcpTraits[] hcps, int firstIndex)
    {
        var days = new List<RouteDay>();
        foreach (var state in hcps.GroupBy(h => h.State))
        {
            var list = state.ToArray();
            var load = list.Sum(h => h.VisitRate);
            if (load >= 0.75 * calls)
            {
                var n = Math.Max((int)Math.Ceiling(load / (MaxLoad * calls)), (int)Math.Floor(load / calls + 0.5));
                var start = 0;
                var acc = 0.0;
                for (var k = 0; k < n; k++)
                {
                    var end = start;
                    var target = load * (k + 1) / n;
                    while (end < list.Length && (k == n - 1 || acc + list[end].VisitRate / 2 < target))
                    {
                        acc += list[end].VisitRate;
                        end++;
                    }
                    if (end > start)
                    {
                        var part = list[start..end];
                        days.Add(new RouteDay { Index = firstIndex + days.Count, Rep = rep, State = state.Key, Hcps = [.. part.Select(h => h.Index)], PeriodWeeks = 1, WeeklyLoad = part.Sum(h => h.VisitRate) });
                    }
                    start = end;
                }
            }
            else
            {
                var most = list.Max(h => h.VisitRate);
                var period = Periods.Where(p => p == 1 || (load * p <= MaxLoad * calls && most * p <= maxDue)).MinBy(p => load <= 0 ? -p : Math.Abs(Math.Log(load * p / calls)));
                days.Add(new RouteDay { Index = firstIndex + days.Count, Rep = rep, State = state.Key, Hcps = [.. list.Select(h => h.Index)], PeriodWeeks = period, WeeklyLoad = load });
            }
        }
        return days;
    }

    /// <summary>
    /// Lays a rep's route days on weekdays of an 8-week cycle, one route day a day: the most frequent first, each where its
    /// weeks hold the fewest field days so far (weekdays tried in an order drawn for the rep). A route day with no room
    /// left goes every other time as often; one with no room at all never occurs.
    /// </summary>
    private static void Timetable(long seed, int rep, List<RouteDay> days)
    {
        var used = new bool[5, Cycle];
        var perWeek = new int[Cycle];
        var rng = new KeyedRandom(seed, StreamKind.Route, rep, 0, 1);
        var weekdays = new[] { 0, 1, 2, 3, 4 };
        for (var i = weekdays.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (weekdays[i], weekdays[j]) = (weekdays[j], weekdays[i]);
        }
        foreach (var day in days.OrderBy(d => d.PeriodWeeks).ThenByDescending(d => d.WeeklyLoad).ThenBy(d => d.Index))
        {
            while (true)
            {
                var best = (Weekday: -1, Phase: 0, Score: int.MaxValue);
                var period = day.PeriodWeeks;
                for (var p = 0; p < period; p++)
                {
                    foreach (var d in weekdays)
                    {
                        var free = true;
                        var score = 0;
                        for (var w = p; w < Cycle; w += period)
                        {
                            free &= !used[d, w];
                            score += perWeek[w];
                        }
                        if (free && score < best.Score)
                        {
                            best = (d, p, score);
                        }
                    }
                }
                if (best.Weekday >= 0)
                {
                    day.Weekday = best.Weekday;
                    day.Phase = best.Phase;
                    for (var w = best.Phase; w < Cycle; w += period)
                    {
                        used[best.Weekday, w] = true;
                        perWeek[w]++;
                    }
                    break;
                }
                if (period >= Cycle)
                {
                    day.Weekday = -1;
                    break;
                }
                day.PeriodWeeks = period * 2;
            }
        }
    }

    /// <summary>Σ of the month factor of rep visits over the days since <see cref="FieldCalendar.ClockStart"/>, in weeks.</summary>
    private static double[] VisitClock(SimulationModel model, bool quarterPush)
    {
        var days = FieldCalendar.ClockEnd.DayNumber - FieldCalendar.ClockStart.DayNumber + 2;
        var clock = new double[days];
        var day = FieldCalendar.ClockStart;
        for (var i = 1; i < days; i++, day = day.AddDays(1))
        {
            clock[i] = clock[i - 1] + (quarterPush ? model.QuarterFactor[Channel.RepVisit, day.Month - 1] : 1.0) / 7.0;
        }
        return clock;
    }

    public static bool HasOverlay(SimulationModel model, long seed, int hcpIndex) =>
        new KeyedRandom(seed, StreamKind.Territory, hcpIndex).NextDouble() < model.Config.OverlayShare;

    private static string RepName(long seed, int rep)
    {
        var rng = new KeyedRandom(seed, StreamKind.Rep, rep);
        var names = new Name("en") { Random = new Randomizer((int)(rng.NextUInt64() & 0x7FFFFFFF)) };
        return $"{names.FirstName()} {names.LastName()}";
    }
}
