using System.Globalization;

namespace HcpPlatform.Data.Platform;

/// <summary>
/// The calendar the platform simulates: 2001-01-01 to 2099-12-31 (the engine's holiday and congress calendars, and the
/// month partitions, are defined for it). Every date a user gives (as-of, series ranges) is checked against it, and
/// increments stop at its end.
/// </summary>
public static class SupportedDates
{
    public static readonly DateOnly Min = new(2001, 1, 1);
    public static readonly DateOnly Max = new(2099, 12, 31);

    /// <summary>"2001-01-01 to 2099-12-31", for messages.</summary>
    public static string Range => string.Create(CultureInfo.InvariantCulture, $"{Min:yyyy-MM-dd} to {Max:yyyy-MM-dd}");

    public static bool Contains(DateOnly day) => day >= Min && day <= Max;

    /// <summary>
    /// Why <paramref name="asOf"/> cannot be a backfill's last simulated day, or null: it must lie in the supported range
    /// and not after <paramref name="today"/> (UTC). A backfill is history up to today; days beyond it are simulated by
    /// accelerated play, one at a time. <paramref name="field"/> names the option or field in the message.
    /// </summary>
    public static string? AsOfProblem(string field, DateOnly asOf, DateOnly today)
    {
        if (!Contains(asOf))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{field} {asOf:yyyy-MM-dd} is outside the supported range {Range}.");
        }
        if (asOf > today)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{field} {asOf:yyyy-MM-dd} is in the future (today is {today:yyyy-MM-dd} UTC); allowed: {Min:yyyy-MM-dd} to today. Simulated days beyond today come from accelerated play.");
        }
        return null;
    }

    /// <summary>
    /// Why <paramref name="months"/> of history ending on <paramref name="asOf"/> cannot be backfilled, or null: the window's
    /// first day must lie in the supported range too (the campaign calendar starts on 2000-01-03; a window reaching before
    /// it held months without campaigns).
    /// </summary>
    public static string? WindowProblem(string field, DateOnly asOf, int months)
    {
        var start = Engine.Calendar.SimDate.WindowStart(asOf, months);
        return start >= Min ? null : string.Create(CultureInfo.InvariantCulture,
            $"{field} {months} through {asOf:yyyy-MM-dd} would start on {start:yyyy-MM-dd}, before the supported range {Range}; give fewer months or a later as-of.");
    }
}
