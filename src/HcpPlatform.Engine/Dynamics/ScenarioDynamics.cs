using System.Globalization;
using System.Text;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Dynamics;

/// <summary>
/// The configured <see cref="ScenarioEvent"/>s compiled for one population: what the generators ask on each touch.
/// Every answer is a pure function of (configuration, seed, population, day) drawn from
/// <see cref="StreamKind.Dynamics"/> streams keyed by the event's <see cref="ScenarioEvent.Key"/>, so
/// <list type="bullet">
/// <item>with no events every answer is neutral and the engine's output is byte-identical to an engine without dynamics;</item>
/// <item>days before an event's start are unchanged by it, and changing an event's end changes no day before the
/// earlier of the two ends (launch touches are decided day by day, in day order);</item>
/// <item>a backfill and the daily increments see the same events on the same days.</item>
/// </list>
/// Events are applied in (start, key) order, so an event added later never moves an earlier one's touches.
/// </summary>
public sealed class ScenarioDynamics
{
    private readonly long _seed;
    private readonly int _repCount;
    private readonly Compiled[] _fatigue;
    private readonly Compiled[] _dips;
    private readonly Compiled[] _launches;
    private readonly Compiled[] _territory;

    public ScenarioDynamics(Population population)
    {
        ArgumentNullException.ThrowIfNull(population);
        _seed = population.Seed;
        _repCount = population.Reps.Count;
        var events = Ordered(population.Model.Config.Events);
        Compiled[] Of(string type) => events.Where(e => e.Type == type).Select(e => Compile(e, _seed, _repCount)).ToArray();
        _fatigue = Of(ScenarioEvent.EmailFatigue);
        _dips = Of(ScenarioEvent.SeasonalDip);
        _launches = Of(ScenarioEvent.ProductLaunch);
        _territory = Of(ScenarioEvent.TerritoryChange);
        IsEmpty = events.Count == 0;
    }

    /// <summary>True when no event is configured: every hook is a no-op.</summary>
    public bool IsEmpty { get; }

    /// <summary>The events in the order the engine applies them: by start, then by key.</summary>
    public static IReadOnlyList<ScenarioEvent> Ordered(IEnumerable<ScenarioEvent>? events) =>
        events is null ? [] : [.. events.OrderBy(e => e.Start).ThenBy(e => e.Key, StringComparer.Ordinal)];

    // ---------------------------------------------------------------- email_fatigue

    /// <summary>Multiplier on the response probability of a touch of <paramref name="channel"/> sent on <paramref name="day"/> (1 outside fatigue periods).</summary>
    public double ResponseFactor(int channel, DateOnly day)
    {
        var factor = 1.0;
        foreach (var f in _fatigue)
        {
            if (f.Event.IsActive(day) && f.Applies(channel))
            {
                factor *= 1.0 - f.Event.Magnitude;
            }
        }
        return factor;
    }

    // ---------------------------------------------------------------- territory_change

    /// <summary>The rep (index into <see cref="Population.Reps"/>) who works territory <paramref name="territoryRep"/> on <paramref name="day"/>.</summary>
    public int RepOn(int territoryRep, DateOnly day)
    {
        var rep = territoryRep;
        foreach (var t in _territory)
        {
            if (t.Event.IsActive(day) && rep / 2 < t.SwappedPairs.Length && t.SwappedPairs[rep / 2])
            {
                rep ^= 1;
            }
        }
        return rep;
    }

    /// <summary>The rep pairs (by rep index) a territory_change event swaps in this population.</summary>
    public static IReadOnlyList<(int A, int B)> SwappedRepPairs(ScenarioEvent territoryChange, long seed, int repCount)
    {
        ArgumentNullException.ThrowIfNull(territoryChange);
        var pairs = Compile(territoryChange, seed, repCount).SwappedPairs;
        return [.. Enumerable.Range(0, pairs.Length).Where(k => pairs[k]).Select(k => (2 * k, 2 * k + 1))];
    }

    // ---------------------------------------------------------------- seasonal_dip

    /// <summary>Leaves out the touches a dip removes (the month's touches, sorted, before ordinals are assigned).</summary>
    internal void ApplyDips(int hcpIndex, List<Touch> touches)
    {
        if (_dips.Length == 0 || touches.Count == 0)
        {
            return;
        }
        var kept = new List<Touch>(touches.Count);
        for (var i = 0; i < touches.Count; i++)
        {
            var t = touches[i];
            // The n-th touch of a channel on a day takes the n-th draw of that (HCP, day, channel) stream.
            var occurrence = 0;
            for (var j = 0; j < i; j++)
            {
                if (touches[j].Day == t.Day && touches[j].Channel == t.Channel)
                {
                    occurrence++;
                }
            }
            var dropped = false;
            foreach (var dip in _dips)
            {
                if (!dip.Event.IsActive(t.Day) || !dip.Applies(t.Channel))
                {
                    continue;
                }
                var rng = new KeyedRandom(_seed, StreamKind.Dynamics, hcpIndex, t.Day.DayNumber, dip.Purpose(Draw.Dip, (ulong)t.Channel));
                var u = rng.NextDouble();
                for (var k = 0; k < occurrence; k++)
                {
                    u = rng.NextDouble();
                }
                dropped |= u < dip.Event.Magnitude;
            }
            if (!dropped)
            {
                kept.Add(t);
            }
        }
        if (kept.Count != touches.Count)
        {
            touches.Clear();
            touches.AddRange(kept);
        }
    }

    // ---------------------------------------------------------------- product_launch

    /// <summary>True when some launch adds touches of <paramref name="channel"/> in the month.</summary>
    internal bool HasLaunch(int channel, int monthNumber)
    {
        var first = SimDate.MonthStart(monthNumber);
        var last = first.AddDays(SimDate.DaysInMonth(monthNumber) - 1);
        foreach (var l in _launches)
        {
            if (l.Applies(channel) && l.Event.Start <= last && (l.Event.End is not { } end || end >= first))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Candidate launch touches of one HCP on email or phone in a month, in (event, day) order: the generator keeps each
    /// one its contact rules allow. A keyed draw per day with probability Magnitude × the HCP's regular monthly mean × the
    /// day's weekday weight / the month's total weight, at a local time in the channel's working hours
    /// (<see cref="LocalHours"/>). Launch rep visits come from the field force (<see cref="RepVisitLaunches"/>).
    /// </summary>
    internal List<(DateOnly Day, double LocalHour, string Product)> LaunchTouches(HcpTraits hcp, int channel, int monthNumber, double monthlyMean, double[] weekdayWeights)
    {
        var result = new List<(DateOnly, double, string)>();
        var monthStart = SimDate.MonthStart(monthNumber);
        var days = SimDate.DaysInMonth(monthNumber);
        var total = 0.0;
        for (var d = 0; d < days; d++)
        {
            total += DayWeight(monthStart.AddDays(d), weekdayWeights);
        }
        if (total <= 0 || monthlyMean <= 0)
        {
            return result;
        }
        var hours = LocalHours.For(channel);
        foreach (var l in _launches)
        {
            if (!l.Applies(channel))
            {
                continue;
            }
            for (var d = 0; d < days; d++)
            {
                var day = monthStart.AddDays(d);
                if (!l.Event.IsActive(day))
                {
                    continue;
                }
                var weight = DayWeight(day, weekdayWeights);
                if (weight <= 0)
                {
                    continue;
                }
                var rng = new KeyedRandom(_seed, StreamKind.Dynamics, hcp.Index, day.DayNumber, l.Purpose(Draw.LaunchTouch, (ulong)channel));
                if (rng.Chance(Math.Min(1.0, l.Event.Magnitude * monthlyMean * weight / total)))
                {
                    result.Add((day, hours.Draw(ref rng), l.Event.LaunchProduct));
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Scenario dynamics (product_launch): the launches that add rep visits, with the purpose key of their draws. The field
    /// force gives an HCP a launch visit at an occurrence of its route day in the launch period when a second visit clock,
    /// at Magnitude × the HCP's visit rate, passes a threshold there and no regular visit is due.
    /// </summary>
    internal IReadOnlyList<(ScenarioEvent Event, long Key)> RepVisitLaunches() =>
        [.. _launches.Where(l => l.Applies(Channel.RepVisit)).Select(l => (l.Event, l.Purpose(Draw.LaunchVisit, (ulong)Channel.RepVisit)))];

    private static double DayWeight(DateOnly day, double[] weekdayWeights) =>
        UsHolidays.IsBlackout(day) ? 0 : weekdayWeights[SimDate.IsoWeekday(day) - 1];

    // ---------------------------------------------------------------- ground truth

    /// <summary>One ground-truth row per event (parameter "scenario_event", value = magnitude, period = start day), in application order.</summary>
    public static IEnumerable<(double Value, string? Channel, string Period, string Details)> GroundTruthRows(SimulationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var e in Ordered(config.Events))
        {
            var sb = new StringBuilder(256);
            sb.Append("{\"type\": \"").Append(e.Type).Append("\", \"start\": \"").Append(Iso(e.Start)).Append("\", \"end\": ")
                .Append(e.End is { } end ? "\"" + Iso(end) + "\"" : "null")
                .Append(", \"magnitude\": ").Append(e.Magnitude.ToString("R", CultureInfo.InvariantCulture))
                .Append(", \"channels\": [").Append(string.Join(", ", ChannelsOf(e).Select(c => "\"" + Channel.Names[c] + "\""))).Append(']');
            switch (e.Type)
            {
                case ScenarioEvent.ProductLaunch:
                    sb.Append(", \"product\": \"").Append(e.LaunchProduct)
                        .Append("\", \"effect\": \"extra launch touches = magnitude x the HCP's regular monthly volume of each channel on the event's days; metadata launch_product\"");
                    break;
                case ScenarioEvent.EmailFatigue:
                    sb.Append(", \"response_multiplier\": ").Append((1 - e.Magnitude).ToString("R", CultureInfo.InvariantCulture))
                        .Append(", \"effect\": \"response probability x (1 - magnitude) for touches sent on the event's days\"");
                    break;
                case ScenarioEvent.TerritoryChange:
                    sb.Append(", \"effect\": \"reps 2k and 2k+1 (territory order) swap territories when a keyed draw < magnitude; rep_id of rep visits and phone calls\"");
                    break;
                default:
                    sb.Append(", \"touch_multiplier\": ").Append((1 - e.Magnitude).ToString("R", CultureInfo.InvariantCulture))
                        .Append(", \"effect\": \"each touch on the event's days is left out with probability magnitude\"");
                    break;
            }
            sb.Append('}');
            yield return (e.Magnitude, e.Channel, Iso(e.Start), sb.ToString());
        }
    }

    /// <summary>The channels an event acts on.</summary>
    public static IReadOnlyList<int> ChannelsOf(ScenarioEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Channel is { } c)
        {
            return [Channel.IndexOf(c)];
        }
        return e.Type switch
        {
            ScenarioEvent.ProductLaunch => [Channel.Email, Channel.RepVisit],
            ScenarioEvent.EmailFatigue => [Channel.Email],
            ScenarioEvent.TerritoryChange => [Channel.RepVisit, Channel.Phone],
            _ => [.. Enumerable.Range(0, Channel.Count)],
        };
    }

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- compiled events

    private enum Draw : ulong
    {
        Dip = 1,
        LaunchTouch = 2,
        LaunchBlitz = 3,
        LaunchJoin = 4,
        Territory = 5,
        LaunchVisit = 6,
    }

    private static Compiled Compile(ScenarioEvent e, long seed, int repCount)
    {
        var hash = StimuliGenerator.StableHash(e.Key);
        var channels = new bool[Channel.Count];
        foreach (var c in ChannelsOf(e))
        {
            channels[c] = true;
        }
        var compiled = new Compiled(e, hash, channels);
        if (e.Type == ScenarioEvent.TerritoryChange)
        {
            compiled.SwappedPairs = new bool[repCount / 2];
            for (var k = 0; k < compiled.SwappedPairs.Length; k++)
            {
                compiled.SwappedPairs[k] = new KeyedRandom(seed, StreamKind.Dynamics, k, 0, compiled.Purpose(Draw.Territory, 0)).Chance(e.Magnitude);
            }
        }
        return compiled;
    }

    private sealed class Compiled(ScenarioEvent e, ulong hash, bool[] channels)
    {
        public ScenarioEvent Event { get; } = e;
        public bool[] SwappedPairs { get; set; } = [];

        public bool Applies(int channel) => channel >= 0 && channel < channels.Length && channels[channel];

        /// <summary>The purpose part of a stream key: the event, what is drawn, and a detail (channel, city).</summary>
        public long Purpose(Draw draw, ulong detail) => (long)KeyedRandom.Mix(KeyedRandom.Mix(hash + (ulong)draw) ^ detail);
    }
}
