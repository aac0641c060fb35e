namespace HcpPlatform.Engine.Calendar;

/// <summary>Major US holidays on which nobody is contacted (000 Task 7 blackouts), with their observed weekdays.</summary>
public static class UsHolidays
{
    private const int FirstYear = 1990;
    private const int LastYear = 2110;
    private static readonly int FirstDayNumber = new DateOnly(FirstYear, 1, 1).DayNumber;

    // Looked up for every candidate day of every plan, so computed once for the supported years.
    private static readonly bool[] BlackoutTable = BuildTable();

    public static bool IsBlackout(DateOnly day)
    {
        var i = day.DayNumber - FirstDayNumber;
        return (uint)i < (uint)BlackoutTable.Length ? BlackoutTable[i] : Compute(day);
    }

    private static bool[] BuildTable()
    {
        var table = new bool[new DateOnly(LastYear, 12, 31).DayNumber - FirstDayNumber + 1];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = Compute(DateOnly.FromDayNumber(FirstDayNumber + i));
        }
        return table;
    }

    private static bool Compute(DateOnly day)
    {
        foreach (var holiday in ForYear(day.Year))
        {
            if (holiday.Date == day || holiday.Observed == day)
            {
                return true;
            }
        }
        // New Year's Day on a Saturday is observed on Dec 31 of the previous year.
        return day.Month == 12 && day.Day == 31 && new DateOnly(day.Year + 1, 1, 1).DayOfWeek == DayOfWeek.Saturday;
    }

    public static IEnumerable<(string Name, DateOnly Date, DateOnly Observed)> ForYear(int year)
    {
        yield return Fixed("New Year's Day", new DateOnly(year, 1, 1));
        var memorial = Last(year, 5, DayOfWeek.Monday);
        yield return ("Memorial Day", memorial, memorial);
        yield return Fixed("Independence Day", new DateOnly(year, 7, 4));
        var labor = Nth(year, 9, DayOfWeek.Monday, 1);
        yield return ("Labor Day", labor, labor);
        var thanksgiving = Nth(year, 11, DayOfWeek.Thursday, 4);
        yield return ("Thanksgiving Day", thanksgiving, thanksgiving);
        yield return Fixed("Christmas Day", new DateOnly(year, 12, 25));
    }

    private static (string, DateOnly, DateOnly) Fixed(string name, DateOnly date) => (name, date, date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.AddDays(-1),
        DayOfWeek.Sunday => date.AddDays(1),
        _ => date,
    });

    public static DateOnly Nth(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)weekday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + 7 * (n - 1));
    }

    public static DateOnly Last(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)weekday + 7) % 7;
        return last.AddDays(-offset);
    }
}
