using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Randomness;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// Webinar events: one a week (Tue–Thu, at <see cref="LocalHours.WebinarStartEastern"/> Eastern, so 16:00 on the West
/// coast), on the absolute calendar, never on a holiday. Event days are Eastern days.
/// </summary>
public static class WebinarCalendar
{
    /// <summary>The UTC instant a webinar starts.</summary>
    public static DateTime StartsAt(DateOnly eventDay) => UsTimeZone.Eastern.ToUtc(eventDay, LocalHours.WebinarStartEastern);

    public static DateOnly? EventInWeek(long seed, DateOnly monday)
    {
        var rng = new KeyedRandom(seed, StreamKind.Webinar, monday.DayNumber);
        var day = monday.AddDays(rng.NextInt(1, 3));
        return UsHolidays.IsBlackout(day) ? null : day;
    }

    /// <summary>Events whose invitation day (event − lead days) falls in [from, to].</summary>
    public static IEnumerable<DateOnly> EventsInvitedBetween(long seed, DateOnly from, DateOnly to, int leadDays)
    {
        var firstEvent = from.AddDays(leadDays);
        var monday = firstEvent.AddDays(-(((int)firstEvent.DayOfWeek + 6) % 7)).AddDays(-7);
        var lastEvent = to.AddDays(leadDays);
        for (; monday <= lastEvent; monday = monday.AddDays(7))
        {
            if (EventInWeek(seed, monday) is { } e && e >= firstEvent && e <= lastEvent)
            {
                yield return e;
            }
        }
    }

    public static string Id(DateOnly eventDay) => $"WEB-{eventDay:yyyyMMdd}";
}
