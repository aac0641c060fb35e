using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Interventions;

/// <summary>
/// The dataset's interventions compiled for a population (pure, no I/O): who each one targets, the keyed assignment of each
/// targeted HCP to treatment or control, and the planned touches posted for them. An HCP's exposures are then placed month
/// after month by the stimuli generator from an <see cref="HcpInterventions"/> (the HCP's share of this, with its state).
/// </summary>
public sealed class InterventionSchedule
{
    /// <summary>Purposes of the intervention streams' draws (XOR-ed into the intervention's <see cref="Intervention.StreamKey"/>).</summary>
    internal const long StimulusPurpose = 0x5354_494D;   // the exposure's id and details
    internal const long TimePurpose = 0x5449_4D45;       // its local time
    /// <summary>A field seat's order among the rep's treated HCPs of a day (no intervention key: the seats are shared).</summary>
    internal const long SeatPurpose = 0x5345_4154;

    /// <summary>Exposures' outcome draws are keyed on days offset by this, apart from the regular touches' month numbers.</summary>
    internal const long OutcomeDayOffset = 1L << 40;

    private readonly Population _population;
    /// <summary>Per intervention and HCP: -1 outside the target population, 0 control, 1 treatment.</summary>
    private readonly sbyte[][] _arms;
    private readonly Dictionary<int, PlannedTouch[]> _plannedByHcp;
    private readonly Dictionary<(int Channel, int Rep, int RouteDay), int[]> _fieldGroups = [];
    private readonly object _groupsLock = new();

    private InterventionSchedule(Population population, IReadOnlyList<Intervention> items, IReadOnlyList<PlannedTouch> planned)
    {
        _population = population;
        Items = items;
        _arms = new sbyte[items.Count][];
        for (var k = 0; k < items.Count; k++)
        {
            var arms = new sbyte[population.Count];
            for (var h = 0; h < population.Count; h++)
            {
                var hcp = population.Traits[h];
                arms[h] = !InTarget(items[k], hcp) ? (sbyte)-1 : DrawTreated(population.Seed, items[k], h) ? (sbyte)1 : (sbyte)0;
            }
            _arms[k] = arms;
        }
        var index = items.Select((i, k) => (i.Id, k)).ToDictionary(x => x.Id, x => x.k);
        _plannedByHcp = planned
            .Where(p => index.ContainsKey(p.InterventionId) && p.HcpIndex >= 0 && p.HcpIndex < population.Count)
            .GroupBy(p => p.HcpIndex)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.Day).ThenBy(p => p.Id).ToArray());
        InterventionIndex = index;
        RepCallSeats = population.Model.Config.MaxRepCallsPerDay / 3;
    }

    /// <summary>The interventions in the configuration's order ((start, id), as adopted).</summary>
    public IReadOnlyList<Intervention> Items { get; }

    public IReadOnlyDictionary<Guid, int> InterventionIndex { get; }

    public Population Population => _population;

    /// <summary>Phone calls a rep makes for interventions in a day at most: a third of its daily call capacity (the rest is the regular plan's).</summary>
    public int RepCallSeats { get; }

    /// <summary>The population's interventions, or null when the configuration has none and no planned touch is given.</summary>
    public static InterventionSchedule? Compile(Population population, IReadOnlyList<PlannedTouch>? planned = null)
    {
        ArgumentNullException.ThrowIfNull(population);
        var items = population.Model.Config.Interventions;
        if (items is null || items.Count == 0)
        {
            return null;
        }
        return new InterventionSchedule(population, items, planned ?? []);
    }

    /// <summary>The HCP's engagement propensity: the mean of its channel affinities (hcp_profiles.channel_affinities).</summary>
    public static double Engagement(HcpTraits hcp)
    {
        ArgumentNullException.ThrowIfNull(hcp);
        var sum = 0.0;
        foreach (var a in hcp.Affinity)
        {
            sum += a;
        }
        return hcp.Affinity.Length == 0 ? 0 : sum / hcp.Affinity.Length;
    }

    /// <summary>Whether the HCP is in the intervention's target population (every non-empty list holds its value, engagement within bounds).</summary>
    public static bool InTarget(Intervention intervention, HcpTraits hcp)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        ArgumentNullException.ThrowIfNull(hcp);
        var t = intervention.Target;
        if (t.Specialties.Count > 0 && !t.Specialties.Contains(hcp.Specialty))
        {
            return false;
        }
        if (t.Tiers.Count > 0 && !t.Tiers.Contains(Config.SimulationConfig.Tiers[hcp.Tier]))
        {
            return false;
        }
        if (t.Segments.Count > 0 && !t.Segments.Contains(hcp.Segment))
        {
            return false;
        }
        if (t.Regions.Count > 0 && !t.Regions.Contains(hcp.Region))
        {
            return false;
        }
        var engagement = Engagement(hcp);
        return !(t.MinEngagement is { } min && engagement < min) && !(t.MaxEngagement is { } max && engagement > max);
    }

    /// <summary>The keyed assignment of a targeted HCP: treatment with probability <see cref="Intervention.EffectiveTreatedShare"/>.</summary>
    public static bool DrawTreated(long seed, Intervention intervention, int hcp)
    {
        ArgumentNullException.ThrowIfNull(intervention);
        var share = intervention.EffectiveTreatedShare;
        return share >= 1 || new KeyedRandom(seed, StreamKind.Intervention, hcp, 0, intervention.StreamKey).NextDouble() < share;
    }

    /// <summary>Whether the HCP is in intervention <paramref name="k"/>'s treatment arm (as observed).</summary>
    public bool IsTreated(int k, int hcp) => _arms[k][hcp] == 1;

    /// <summary>The HCPs of intervention <paramref name="k"/>'s target population, in index order.</summary>
    public IEnumerable<int> TargetPopulation(int k)
    {
        var arms = _arms[k];
        for (var h = 0; h < arms.Length; h++)
        {
            if (arms[h] >= 0)
            {
                yield return h;
            }
        }
    }

    /// <summary>
    /// The HCP's share of the schedule for one evaluation, or null when it has nothing to do with any intervention.
    /// <paramref name="flip"/> (the counterfactual): intervention index whose assignment is flipped for this HCP.
    /// </summary>
    public HcpInterventions? For(int hcp, int flip = -1)
    {
        var treated = new bool[Items.Count];
        var any = false;
        for (var k = 0; k < Items.Count; k++)
        {
            var t = _arms[k][hcp] == 1;
            if (k == flip && _arms[k][hcp] >= 0)
            {
                t = !t;
            }
            treated[k] = t;
            any |= t;
        }
        var planned = _plannedByHcp.GetValueOrDefault(hcp);
        return any || planned is not null ? new HcpInterventions(this, hcp, treated, planned ?? []) : null;
    }

    /// <summary>
    /// The earliest month the HCP's exposures must be planned from for months from <paramref name="firstMonth"/> on to be what a
    /// full history gives: the start month of every intervention treating it whose last day comes less than 62 days (longer
    /// than any contact gap) before the boundary, taken again until it holds; one month more for the previous month's touches.
    /// </summary>
    internal int FirstMonthFor(HcpInterventions hi, int firstMonth)
    {
        var boundary = SimDate.MonthStart(firstMonth);
        bool changed;
        do
        {
            changed = false;
            for (var k = 0; k < Items.Count; k++)
            {
                var i = Items[k];
                if (hi.Treated[k] && i.End >= boundary.AddDays(-62) && i.Start < boundary)
                {
                    boundary = SimDate.MonthStart(SimDate.MonthNumber(i.Start));
                    changed = true;
                }
            }
            foreach (var p in hi.Planned)
            {
                // Only an earlier boundary is a change: a touch dated before its intervention's start month (refused as outside
                // the window) would otherwise set the same boundary on every pass, for ever.
                if (p.Day < boundary && InterventionIndex.TryGetValue(p.InterventionId, out var k) && hi.Treated[k] && Items[k].End >= boundary.AddDays(-62)
                    && SimDate.MonthStart(SimDate.MonthNumber(Items[k].Start)) is var start && start < boundary)
                {
                    boundary = start;
                    changed = true;
                }
            }
        }
        while (changed);
        var month = SimDate.MonthNumber(boundary);
        return month < firstMonth ? month - 1 : firstMonth;
    }

    /// <summary>
    /// HCPs sharing a field seat pool on a day: for rep visits the primary rep's HCPs of one route day, for phone calls all of
    /// the primary rep's HCPs, treated by an intervention of the channel (whatever its dates; callers keep the active ones).
    /// </summary>
    internal int[] FieldGroup(int channel, int hcp)
    {
        var traits = _population.Traits[hcp];
        var key = (channel, traits.PrimaryRep, channel == Channel.RepVisit ? traits.RouteDay : -1);
        lock (_groupsLock)
        {
            if (_fieldGroups.TryGetValue(key, out var group))
            {
                return group;
            }
        }
        var members = new List<int>();
        for (var h = 0; h < _population.Count; h++)
        {
            var t = _population.Traits[h];
            if (t.PrimaryRep != key.PrimaryRep || (channel == Channel.RepVisit && t.RouteDay != key.Item3))
            {
                continue;
            }
            for (var k = 0; k < Items.Count; k++)
            {
                if (_arms[k][h] >= 0 && Items[k].Channels.Contains(Channel.Names[channel]))
                {
                    members.Add(h);
                    break;
                }
            }
        }
        var result = members.ToArray();
        lock (_groupsLock)
        {
            _fieldGroups[key] = result;
        }
        return result;
    }

    /// <summary>
    /// Whether the HCP may take a seat of its field group on a day: its rank among the group's HCPs treated by an active
    /// intervention of the channel (each HCP's keyed draw for the day) is below <paramref name="seats"/>. Depends on the
    /// assignments only (never on other HCPs' exposures), so every HCP is evaluated alone and the seats are never exceeded.
    /// A counterfactual flip of this HCP leaves the others' ranks as they are (ranks count treated HCPs as observed).
    /// </summary>
    internal bool HasSeat(int channel, int hcp, DateOnly day, int seats)
    {
        if (seats <= 0)
        {
            return false;
        }
        var group = FieldGroup(channel, hcp);
        var mine = SeatDraw(hcp, day, channel);
        var ahead = 0;
        foreach (var other in group)
        {
            if (other == hcp || !TreatedByActive(channel, other, day))
            {
                continue;
            }
            var u = SeatDraw(other, day, channel);
            if (u < mine || (u == mine && other < hcp))
            {
                ahead++;
                if (ahead >= seats)
                {
                    return false;
                }
            }
        }
        return true;
    }

    private double SeatDraw(int hcp, DateOnly day, int channel) =>
        new KeyedRandom(_population.Seed, StreamKind.Intervention, hcp, day.DayNumber, SeatPurpose + channel).NextDouble();

    private bool TreatedByActive(int channel, int hcp, DateOnly day)
    {
        for (var k = 0; k < Items.Count; k++)
        {
            if (_arms[k][hcp] == 1 && Items[k].IsActive(day) && Items[k].Channels.Contains(Channel.Names[channel]))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// One HCP's interventions during one evaluation: its arm in each (possibly flipped, for a counterfactual), its planned
/// touches, and the state carried from month to month (exposures so far, the next day an exposure may come, pending
/// trigger follow-ups, each channel's last touch of the previous month). Filled in by the stimuli generator.
/// </summary>
public sealed class HcpInterventions
{
    internal HcpInterventions(InterventionSchedule schedule, int hcp, bool[] treated, PlannedTouch[] planned)
    {
        Schedule = schedule;
        Hcp = hcp;
        Treated = treated;
        Planned = planned;
        Exposures = new int[treated.Length];
        NextDue = schedule.Items.Select(i => i.Start).ToArray();
        LastExposure = new DateOnly?[treated.Length];
        Triggers = treated.Select(_ => new List<DateOnly>()).ToArray();
        LastDay = new DateOnly?[Channel.Count];
    }

    public InterventionSchedule Schedule { get; }
    public int Hcp { get; }
    /// <summary>The HCP's arm per intervention in this evaluation.</summary>
    public bool[] Treated { get; }
    public PlannedTouch[] Planned { get; }

    /// <summary>What became of the planned touches evaluated so far (all months planned, in order).</summary>
    public List<PlannedTouchOutcome> Outcomes { get; } = [];

    internal int[] Exposures { get; }
    internal DateOnly[] NextDue { get; }
    internal DateOnly?[] LastExposure { get; }
    internal List<DateOnly>[] Triggers { get; }
    /// <summary>Each channel's last touch (local day) of the month planned before.</summary>
    internal DateOnly?[] LastDay { get; }
}

/// <summary>An exposure: its stimulus (with intervention_id) and the keys of its outcome draws, apart from the regular touches'.</summary>
public readonly record struct Exposure(Generators.PlannedStimulus Planned, long KeyDay, long KeyOrdinal);
