namespace HcpPlatform.Engine.Calendar;

/// <summary>
/// The rhythm of an HCP's responses: a rate per local hour on workdays and on days off (weekends and the major holidays),
/// none at all on Christmas Day, scaled so that a week of 5 workdays and 2 days off averages 1. A response latency is
/// drawn in the HCP's <i>activity time</i>, the integral of this rate over real time from the touch (in days), so responses
/// come in waking hours (emails: morning and evening peaks, half as many on days off) or in business hours on business
/// days (meetings, sample requests), and the mean latency is about the same in real time. <see cref="Activity"/> and
/// <see cref="Advance"/> convert between the two; a local day is 23 or 25 hours long on the days daylight time starts and ends.
/// </summary>
public sealed class ResponseRhythm
{
    private readonly double[] _workday;
    private readonly double[] _offDay;
    private readonly double _workdayTotal;
    private readonly double _offDayTotal;

    private ResponseRhythm(string name, double[] workday, double[] offDay)
    {
        Name = name;
        var scale = 168.0 / (5 * workday.Sum() + 2 * offDay.Sum());
        _workday = workday.Select(r => r * scale).ToArray();
        _offDay = offDay.Select(r => r * scale).ToArray();
        _workdayTotal = _workday.Sum() / 24;
        _offDayTotal = _offDay.Sum() / 24;
    }

    public string Name { get; }

    /// <summary>Rate by local hour on a workday (normalised: a week averages 1).</summary>
    public IReadOnlyList<double> Workday => _workday;

    /// <summary>Rate by local hour on a Saturday, Sunday or major holiday other than Christmas Day.</summary>
    public IReadOnlyList<double> OffDay => _offDay;

    private static readonly double[] DigitalHours =
        [0.10, 0.05, 0.03, 0.03, 0.05, 0.20, 0.60, 1.40, 1.80, 1.50, 1.20, 1.10, 1.30, 1.20, 1.00, 1.00, 1.00, 1.10, 1.20, 1.40, 1.50, 1.20, 0.70, 0.30];

    /// <summary>Email opens and clicks: waking hours with morning and evening peaks; days off at half the rate.</summary>
    public static readonly ResponseRhythm Digital = new("digital", DigitalHours, [.. DigitalHours.Select(r => r * 0.5)]);

    /// <summary>Meetings scheduled and sample requests: business hours (08:00–18:00) on business days only.</summary>
    public static readonly ResponseRhythm Business = new("business",
        [0, 0, 0, 0, 0, 0, 0, 0, 0.6, 1.2, 1.3, 1.2, 0.7, 1.0, 1.2, 1.1, 0.9, 0.4, 0, 0, 0, 0, 0, 0], new double[24]);

    /// <summary>A rhythm from its stated rates per local hour (the ground truth's response_rhythm rows), normalised like the engine's.</summary>
    public static ResponseRhythm FromRates(string name, IReadOnlyList<double> workday, IReadOnlyList<double> offDay) =>
        workday.Count == 24 && offDay.Count == 24 && workday.Concat(offDay).All(r => r >= 0) && workday.Concat(offDay).Sum() > 0
            ? new(name, [.. workday], [.. offDay])
            : throw new ArgumentException("A response rhythm needs 24 non-negative rates for workdays and for days off, not all zero.");

    /// <summary>Real time, for the fault that ignores the rhythm.</summary>
    internal static readonly ResponseRhythm Flat = new("flat", Enumerable.Repeat(1.0, 24).ToArray(), Enumerable.Repeat(1.0, 24).ToArray());

    /// <summary>The rhythm of an outcome type (null: no drawn latency, e.g. webinar attendance at the event).</summary>
    public static ResponseRhythm? For(string outcomeType) => outcomeType switch
    {
        "email_open" or "email_click" => Digital,
        "meeting_scheduled" or "sample_request" => Business,
        _ => null,
    };

    public static bool IsChristmas(DateOnly day) => day.Month == 12 && day.Day == 25;

    /// <summary>A local day's kind: 0 workday, 1 day off (weekend or major holiday), 2 Christmas Day (no responses).</summary>
    public static int DayKind(DateOnly localDay) =>
        IsChristmas(localDay) ? 2 : SimDate.IsWeekend(localDay) || UsHolidays.IsBlackout(localDay) ? 1 : 0;

    private double Rate(int kind, int hour) => kind switch { 0 => _workday[hour], 1 => _offDay[hour], _ => 0 };

    /// <summary>Activity over a whole local day (in days), the daylight-time transitions' 23- and 25-hour days included.</summary>
    private double DayTotal(in LocalDay day)
    {
        var total = day.Kind switch { 0 => _workdayTotal, 1 => _offDayTotal, _ => 0 };
        if (day.Kind < 2 && day.Transition != 0)
        {
            // The 02:00 hour is skipped when daylight time starts; the 01:00 hour comes twice when it ends.
            total += day.Transition < 0 ? -Rate(day.Kind, 2) / 24 : Rate(day.Kind, 1) / 24;
        }
        return total;
    }

    /// <summary>The local hour of an instant on a local day.</summary>
    private static int HourOf(UsTimeZone zone, in LocalDay day, DateTime t) =>
        // The offset is the same all day except on a transition day: the hours since local midnight.
        day.Transition == 0 ? (int)((t.Ticks - day.Start) / TimeSpan.TicksPerHour) : zone.ToLocal(t).Hour;

    /// <summary>Activity time (days) between two UTC instants in an HCP's time zone.</summary>
    public double Activity(UsTimeZone zone, DateTime from, DateTime to)
    {
        var total = 0.0;
        var t = from;
        var dayNumber = DateOnly.FromDateTime(zone.ToLocal(t)).DayNumber;
        while (t < to)
        {
            var day = LocalDay.Of(zone, dayNumber);
            var nextDay = new DateTime(day.Next, DateTimeKind.Utc);
            if (t.Ticks == day.Start && nextDay <= to)
            {
                total += DayTotal(day);
                t = nextDay;
                dayNumber++;
                continue;
            }
            // Hour by hour to the end of the local day (zones differ from UTC by whole hours, so local hours start on UTC hours).
            var end = nextDay < to ? nextDay : to;
            while (t < end)
            {
                var hourEnd = new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerHour + TimeSpan.TicksPerHour, DateTimeKind.Utc);
                var segmentEnd = hourEnd < end ? hourEnd : end;
                total += Rate(day.Kind, HourOf(zone, day, t)) * (segmentEnd - t).TotalDays;
                t = segmentEnd;
            }
            dayNumber++;
        }
        return total;
    }

    /// <summary>The UTC instant at which activity time since <paramref name="from"/> reaches <paramref name="amount"/> days.</summary>
    public DateTime Advance(UsTimeZone zone, DateTime from, double amount)
    {
        var t = from;
        var left = amount;
        var dayNumber = DateOnly.FromDateTime(zone.ToLocal(t)).DayNumber;
        for (var guard = 0; guard < 100_000; guard++, dayNumber++)
        {
            var day = LocalDay.Of(zone, dayNumber);
            var nextDay = new DateTime(day.Next, DateTimeKind.Utc);
            if (t.Ticks == day.Start)
            {
                var whole = DayTotal(day);
                if (whole < left)
                {
                    left -= whole;
                    t = nextDay;
                    continue;
                }
            }
            while (t < nextDay)
            {
                var hourEnd = new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerHour + TimeSpan.TicksPerHour, DateTimeKind.Utc);
                var rate = Rate(day.Kind, HourOf(zone, day, t));
                var segment = (hourEnd - t).TotalDays;
                if (rate > 0 && rate * segment >= left)
                {
                    return t.AddTicks((long)(left / rate * TimeSpan.TicksPerDay));
                }
                left -= rate * segment;
                t = hourEnd;
            }
        }
        throw new InvalidOperationException($"Activity time {amount} days after {from:O} is out of reach.");
    }

    /// <summary>
    /// A local day of a time zone: the UTC ticks of its midnight and of the next (<see cref="UsTimeZone.ToUtc"/>), its
    /// <see cref="DayKind"/>, and its daylight-time transition (−1 starts, +1 ends, 0 none). Latencies cross up to 30 local days
    /// each, so the days of 1990–2110 are computed once per zone (the first time the zone is asked for) and looked up.
    /// </summary>
    private readonly record struct LocalDay(long Start, long Next, int Kind, int Transition)
    {
        private static readonly int FirstDayNumber = new DateOnly(1990, 1, 1).DayNumber;
        private static readonly int LastDayNumber = new DateOnly(2110, 12, 31).DayNumber;
        private static readonly LocalDay[]?[] Tables = new LocalDay[UsTimeZone.All.Count][];

        public static LocalDay Of(UsTimeZone zone, int dayNumber)
        {
            var i = dayNumber - FirstDayNumber;
            if ((uint)i > (uint)(LastDayNumber - FirstDayNumber))
            {
                return Compute(zone, dayNumber);
            }
            var table = Volatile.Read(ref Tables[zone.Index]) ?? Build(zone);
            return table[i];
        }

        private static LocalDay[] Build(UsTimeZone zone)
        {
            var table = new LocalDay[LastDayNumber - FirstDayNumber + 1];
            for (var i = 0; i < table.Length; i++)
            {
                table[i] = Compute(zone, FirstDayNumber + i);
            }
            // Two threads may build the same table at once: either result is the same.
            Volatile.Write(ref Tables[zone.Index], table);
            return table;
        }

        private static LocalDay Compute(UsTimeZone zone, int dayNumber)
        {
            var day = DateOnly.FromDayNumber(dayNumber);
            var transition = 0;
            if (zone.ObservesDst)
            {
                var (start, end) = UsTimeZone.DstDates(day.Year);
                transition = day == start ? -1 : day == end ? 1 : 0;
            }
            return new LocalDay(zone.ToUtc(day, 0).Ticks, zone.ToUtc(day.AddDays(1), 0).Ticks, DayKind(day), transition);
        }
    }
}
