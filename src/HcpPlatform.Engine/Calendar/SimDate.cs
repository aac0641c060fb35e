namespace HcpPlatform.Engine.Calendar;

/// <summary>Calendar arithmetic on UTC days. Days and months are numbered absolutely so keys never depend on a window.</summary>
public static class SimDate
{
    /// <summary>Absolute day number (days since 0001-01-01), used in stream keys.</summary>
    public static int DayNumber(DateOnly day) => day.DayNumber;

    /// <summary>Absolute month number: year * 12 + month - 1.</summary>
    public static int MonthNumber(DateOnly day) => day.Year * 12 + day.Month - 1;

    public static DateOnly MonthStart(int monthNumber) => new(monthNumber / 12, monthNumber % 12 + 1, 1);

    public static int DaysInMonth(int monthNumber) => DateTime.DaysInMonth(monthNumber / 12, monthNumber % 12 + 1);

    /// <summary>A UTC instant on a day, to the microsecond (what PostgreSQL keeps), so values round-trip exactly.</summary>
    public static DateTime AtUtc(DateOnly day, double hourOfDay)
    {
        var ticks = (long)(hourOfDay * TimeSpan.TicksPerHour);
        return day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddTicks(ticks - ticks % 10);
    }

    public static DateTime StartUtc(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    /// <summary>The dataset window for an as-of day: exactly <paramref name="months"/> months ending on it, inclusive.</summary>
    public static DateOnly WindowStart(DateOnly asOf, int months) => asOf.AddMonths(-months).AddDays(1);

    public static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>ISO weekday: 1 = Monday … 7 = Sunday.</summary>
    public static int IsoWeekday(DateOnly day) => day.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)day.DayOfWeek;
}
