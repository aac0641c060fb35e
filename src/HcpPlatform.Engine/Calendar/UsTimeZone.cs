namespace HcpPlatform.Engine.Calendar;

/// <summary>
/// A US time zone with its daylight-saving rule computed in code, so the engine stays pure (no tzdata on disk) and
/// gives the same instants on every machine. US rule since 2007: daylight time from the second Sunday of March at
/// 02:00 local standard time to the first Sunday of November at 02:00 local daylight time; 1987–2006: the first Sunday of
/// April to the last Sunday of October (earlier years use that rule too). Arizona and Hawaii keep standard time.
/// <see cref="Name"/> is the IANA name, so PostgreSQL's <c>AT TIME ZONE</c> gives the same local times.
/// </summary>
public sealed class UsTimeZone
{
    private const int FirstYear = 1970;
    private const int LastYear = 2200;

    // Daylight time's first and last local day per year, computed once (declared before the zones, whose constructors use it).
    private static readonly (DateOnly Start, DateOnly End)[] DstTable =
        [.. Enumerable.Range(FirstYear, LastYear - FirstYear + 1).Select(ComputeDstDates)];

    // Daylight time's start and end as UTC ticks, per year: computed once, looked up for every instant converted.
    private readonly long[] _dstStart;
    private readonly long[] _dstEnd;

    private UsTimeZone(int index, string name, string label, int standardOffsetHours, bool observesDst)
    {
        Index = index;
        Name = name;
        Label = label;
        StandardOffsetHours = standardOffsetHours;
        ObservesDst = observesDst;
        _dstStart = new long[LastYear - FirstYear + 1];
        _dstEnd = new long[LastYear - FirstYear + 1];
        for (var y = FirstYear; y <= LastYear; y++)
        {
            var (start, end) = DstDates(y);
            // Starts at 02:00 standard time, ends at 02:00 daylight time (01:00 standard time).
            _dstStart[y - FirstYear] = Utc(start, 2 - standardOffsetHours);
            _dstEnd[y - FirstYear] = Utc(end, 1 - standardOffsetHours);
        }
    }

    public int Index { get; }

    /// <summary>IANA name (America/New_York, …).</summary>
    public string Name { get; }

    /// <summary>Short name (Eastern, Central, …).</summary>
    public string Label { get; }

    /// <summary>Offset from UTC in standard time, in hours (Eastern −5).</summary>
    public int StandardOffsetHours { get; }

    public bool ObservesDst { get; }

    public static readonly UsTimeZone Eastern = new(0, "America/New_York", "Eastern", -5, true);
    public static readonly UsTimeZone Central = new(1, "America/Chicago", "Central", -6, true);
    public static readonly UsTimeZone Mountain = new(2, "America/Denver", "Mountain", -7, true);
    public static readonly UsTimeZone Arizona = new(3, "America/Phoenix", "Arizona", -7, false);
    public static readonly UsTimeZone Pacific = new(4, "America/Los_Angeles", "Pacific", -8, true);
    public static readonly UsTimeZone Alaska = new(5, "America/Anchorage", "Alaska", -9, true);
    public static readonly UsTimeZone Hawaii = new(6, "Pacific/Honolulu", "Hawaii", -10, false);

    public static readonly IReadOnlyList<UsTimeZone> All = [Eastern, Central, Mountain, Arizona, Pacific, Alaska, Hawaii];

    public static UsTimeZone? Find(string name) => All.FirstOrDefault(z => z.Name == name);

    /// <summary>The days daylight time starts and ends in a year (US rules).</summary>
    public static (DateOnly Start, DateOnly End) DstDates(int year) =>
        year is >= FirstYear and <= LastYear ? DstTable[year - FirstYear] : ComputeDstDates(year);

    private static (DateOnly Start, DateOnly End) ComputeDstDates(int year) => year >= 2007
        ? (UsHolidays.Nth(year, 3, DayOfWeek.Sunday, 2), UsHolidays.Nth(year, 11, DayOfWeek.Sunday, 1))
        : (UsHolidays.Nth(year, 4, DayOfWeek.Sunday, 1), UsHolidays.Last(year, 10, DayOfWeek.Sunday));

    /// <summary>Offset from UTC at a UTC instant, in hours.</summary>
    public int OffsetHoursAt(DateTime utc)
    {
        if (!ObservesDst)
        {
            return StandardOffsetHours;
        }
        var y = Math.Clamp(utc.Year, FirstYear, LastYear) - FirstYear;
        return utc.Ticks >= _dstStart[y] && utc.Ticks < _dstEnd[y] ? StandardOffsetHours + 1 : StandardOffsetHours;
    }

    /// <summary>The local wall-clock time of a UTC instant (Kind unspecified).</summary>
    public DateTime ToLocal(DateTime utc) => new(utc.Ticks + OffsetHoursAt(utc) * TimeSpan.TicksPerHour, DateTimeKind.Unspecified);

    /// <summary>
    /// The UTC instant of a local wall-clock time on a local day, to the microsecond. The engine places touches between
    /// 06:00 and 24:00 local, where every local time exists exactly once; a time in the hour skipped or repeated at a
    /// transition is read as standard time.
    /// </summary>
    public DateTime ToUtc(DateOnly localDay, double localHour)
    {
        var offset = StandardOffsetHours;
        if (ObservesDst)
        {
            var (start, end) = DstDates(localDay.Year);
            var dst = (localDay > start || (localDay == start && localHour >= 3)) && (localDay < end || (localDay == end && localHour < 1));
            offset += dst ? 1 : 0;
        }
        var ticks = (long)(localHour * TimeSpan.TicksPerHour);
        var local = localDay.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddTicks(ticks - ticks % 10);
        return local.AddHours(-offset);
    }

    private static long Utc(DateOnly day, int hour) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(hour).Ticks;

    public override string ToString() => Name;
}
