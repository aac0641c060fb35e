using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Interventions;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// Interventions' exposures (<see cref="Intervention"/>): placed after the month's regular plan, never moving or re-keying a
/// regular touch, on days the HCP's limits allow:
/// <list type="bullet">
/// <item>not a holiday or personal blackout day, a weekday for email, rep visits and phone, a preferred weekday where the HCP
/// has them; the channel's monthly maximum and minimum gap counting the regular touches and the exposures already placed
/// (and the previous month's last touch); out of the month's last (gap − 1) days, so the next month's regular touches keep
/// the gap too; no email in an address lapse;</item>
/// <item>a rep visit only on a day the rep works the HCP's route day, in the seats its daily capacity leaves; a phone call
/// in the rep's <see cref="InterventionSchedule.RepCallSeats"/> seats of the day (<see cref="InterventionSchedule.HasSeat"/>).</item>
/// </list>
/// Rule schedules: exposure j comes on the first day on or after the start (j = 0) or the previous exposure + the minimum
/// days between exposures on which one of the intervention's channels (in its order) is allowed, up to the maximum per HCP,
/// up to the end. Triggers: on the first allowed day of [due, due + 2] after each delivered regular touch of the trigger
/// channel in the window (due = its day + the lag). Planned touches: on their day and channel, or rejected with the reason.
/// </summary>
public sealed partial class StimuliGenerator
{
    /// <summary>Days after a trigger's due day on which its follow-up may still come.</summary>
    public const int TriggerSlackDays = 2;

    /// <summary>
    /// Places the month's exposures of the HCP's interventions after its regular <paramref name="plan"/> (updating the HCP's
    /// intervention state), in time order; planned touches decided this month are added to <see cref="HcpInterventions.Outcomes"/>.
    /// </summary>
    public List<Exposure> PlaceExposures(int monthNumber, List<PlannedStimulus> plan, HcpInterventions hi)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(hi);
        var hcp = population.Traits[hi.Hcp];
        var schedule = hi.Schedule;
        var monthStart = SimDate.MonthStart(monthNumber);
        var daysInMonth = SimDate.DaysInMonth(monthNumber);
        var monthEnd = monthStart.AddDays(daysInMonth - 1);
        var exposures = new List<Exposure>();
        var channelDays = new List<DateOnly>[Channel.Count];
        for (var c = 0; c < Channel.Count; c++)
        {
            channelDays[c] = [];
        }
        foreach (var p in plan)
        {
            channelDays[Channel.IndexOf(p.Row.Channel)].Add(p.Drawn.Day);
        }
        var lapses = (Lapse(hcp.Index, monthNumber - 1), Lapse(hcp.Index, monthNumber));

        for (var k = 0; k < schedule.Items.Count; k++)
        {
            var i = schedule.Items[k];
            var planned = i.Schedule == Intervention.PlannedSchedule;
            if (planned)
            {
                foreach (var p in hi.Planned)
                {
                    if (p.InterventionId != i.Id || p.Day < monthStart || p.Day > monthEnd)
                    {
                        continue;
                    }
                    Rep? rep = null;
                    var reason = !hi.Treated[k] ? PlannedTouchOutcome.NotAssigned
                        : !i.IsActive(p.Day) ? PlannedTouchOutcome.OutsideWindow
                        : hi.Exposures[k] >= i.MaxExposuresPerHcp ? PlannedTouchOutcome.ExposureLimit
                        : hi.LastExposure[k] is { } lastExposure && p.Day.DayNumber - lastExposure.DayNumber < i.MinDaysBetweenExposures ? PlannedTouchOutcome.MinimumGap
                        : Check(hcp, Channel.IndexOf(p.Channel), p.Day, daysInMonth, channelDays, hi, lapses, out rep);
                    if (reason is not null)
                    {
                        hi.Outcomes.Add(new PlannedTouchOutcome(p.Id, false, reason, null));
                        continue;
                    }
                    var exposure = Expose(hcp, i, Channel.IndexOf(p.Channel), p.Day, rep, p.ContentCategory, p.Product, channelDays, hi, k);
                    exposures.Add(exposure);
                    hi.Outcomes.Add(new PlannedTouchOutcome(p.Id, true, null, exposure.Planned.Row.Id));
                }
                continue;
            }
            if (!hi.Treated[k] || i.End < monthStart || i.Start > monthEnd)
            {
                continue;
            }
            var last = i.End < monthEnd ? i.End : monthEnd;
            if (i.Type == Intervention.Trigger)
            {
                var trigger = Channel.IndexOf(i.TriggerChannel!);
                foreach (var s in plan)
                {
                    var day = s.Drawn.Day;
                    if (s.Row.DeliveryStatus == "delivered" && Channel.IndexOf(s.Row.Channel) == trigger && i.IsActive(day)
                        && day.AddDays(i.TriggerLagDays!.Value) <= i.End)
                    {
                        hi.Triggers[k].Add(day.AddDays(i.TriggerLagDays!.Value));
                    }
                }
                hi.Triggers[k].Sort();
                foreach (var due in hi.Triggers[k])
                {
                    if (due > monthEnd || hi.Exposures[k] >= i.MaxExposuresPerHcp)
                    {
                        continue;
                    }
                    var from = hi.LastExposure[k] is { } previous && previous.AddDays(i.MinDaysBetweenExposures) > due
                        ? previous.AddDays(i.MinDaysBetweenExposures) : due;
                    var to = due.AddDays(TriggerSlackDays);
                    to = to < last ? to : last;
                    TryPlace(hcp, i, k, from < monthStart ? monthStart : from, to, daysInMonth, channelDays, hi, lapses, exposures);
                }
                hi.Triggers[k].RemoveAll(d => d <= monthEnd);
                continue;
            }
            while (hi.Exposures[k] < i.MaxExposuresPerHcp)
            {
                var from = hi.NextDue[k] < monthStart ? monthStart : hi.NextDue[k];
                if (from > last)
                {
                    break;
                }
                if (TryPlace(hcp, i, k, from, last, daysInMonth, channelDays, hi, lapses, exposures) is not { } placed)
                {
                    hi.NextDue[k] = last.AddDays(1);
                    break;
                }
                hi.NextDue[k] = placed.AddDays(i.MinDaysBetweenExposures);
            }
        }

        for (var c = 0; c < Channel.Count; c++)
        {
            hi.LastDay[c] = channelDays[c].Count == 0 ? null : channelDays[c].Max();
        }
        exposures.Sort((a, b) => a.Planned.Row.EventDate.CompareTo(b.Planned.Row.EventDate));
        return exposures;
    }

    /// <summary>The first day of [from, to] on which one of the intervention's channels is allowed: the exposure placed there.</summary>
    private DateOnly? TryPlace(HcpTraits hcp, Intervention i, int k, DateOnly from, DateOnly to, int daysInMonth, List<DateOnly>[] channelDays,
        HcpInterventions hi, ((DateOnly Start, DateOnly End)?, (DateOnly Start, DateOnly End)?) lapses, List<Exposure> exposures)
    {
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            foreach (var name in i.Channels)
            {
                var c = Channel.IndexOf(name);
                if (Check(hcp, c, day, daysInMonth, channelDays, hi, lapses, out var rep) is null)
                {
                    exposures.Add(Expose(hcp, i, c, day, rep, null, null, channelDays, hi, k));
                    return day;
                }
            }
        }
        return null;
    }

    private Exposure Expose(HcpTraits hcp, Intervention i, int c, DateOnly day, Rep? rep, string? content, string? product, List<DateOnly>[] channelDays, HcpInterventions hi, int k)
    {
        var rng = new Randomness.KeyedRandom(_seed, Randomness.StreamKind.Intervention, hcp.Index, day.DayNumber, i.StreamKey ^ InterventionSchedule.TimePurpose);
        var hour = LocalHours.For(c).Draw(ref rng);
        if (c == Channel.RepVisit)
        {
            hour = Math.Floor(hour * 60) / 60;
        }
        var brand = product ?? i.Product ?? hcp.Product;
        var touch = new Touch(day, At(hcp, day, hour), c, null, null, -1, brand == hcp.Product ? null : brand, rep);
        var planned = _details.MaterializeExposure(hcp, touch, day.DayNumber, i.StreamKey ^ InterventionSchedule.StimulusPurpose,
            content ?? i.ContentCategory ?? _model.Content.Names[hcp.PreferredContent], i.Id);
        channelDays[c].Add(day);
        hi.Exposures[k]++;
        hi.LastExposure[k] = day;
        return new Exposure(planned, InterventionSchedule.OutcomeDayOffset + day.DayNumber, i.StreamKey & 0x0FFF_FFFF_FFFF_FFFF);
    }

    /// <summary>
    /// Why a touch of channel <paramref name="c"/> cannot go to the HCP on <paramref name="day"/>, or null when it can (a rep
    /// visit's <paramref name="rep"/>: the rep whose route has the HCP that day).
    /// </summary>
    private string? Check(HcpTraits hcp, int c, DateOnly day, int daysInMonth, List<DateOnly>[] channelDays, HcpInterventions hi,
        ((DateOnly Start, DateOnly End)?, (DateOnly Start, DateOnly End)?) lapses, out Rep? rep)
    {
        rep = null;
        if (c < 0)
        {
            return PlannedTouchOutcome.NotAssigned;
        }
        var rule = hcp.Limits[c];
        if (IsHoliday(day) || hcp.IsPersonalBlackout(day) || (LocalHours.IsBusinessChannel(c) && SimDate.IsWeekend(day))
            || (rule.PreferredWeekdayMask != 0 && (rule.PreferredWeekdayMask & (1 << (SimDate.IsoWeekday(day) - 1))) == 0))
        {
            return PlannedTouchOutcome.Blackout;
        }
        var placed = channelDays[c];
        if (placed.Count >= rule.MaxPerMonth)
        {
            return PlannedTouchOutcome.MonthlyLimit;
        }
        var gap = Math.Max(1, rule.MinDaysBetween);
        foreach (var p in placed)
        {
            if (Math.Abs(p.DayNumber - day.DayNumber) < gap)
            {
                return PlannedTouchOutcome.MinimumGap;
            }
        }
        if ((hi.LastDay[c] is { } previous && day.DayNumber - previous.DayNumber < gap) || day.Day > daysInMonth - (gap - 1))
        {
            return PlannedTouchOutcome.MinimumGap;
        }
        if (c == Channel.Email && (InLapse(lapses.Item1, day) || InLapse(lapses.Item2, day)))
        {
            return PlannedTouchOutcome.Undeliverable;
        }
        if (c == Channel.RepVisit)
        {
            if (Field.RouteRep(hcp.Index, day) is not { } route
                || !hi.Schedule.HasSeat(c, hcp.Index, day, _model.Config.MaxRepVisitsPerDay - route.Calls))
            {
                return PlannedTouchOutcome.RepCapacity;
            }
            rep = route.Rep;
        }
        else if (c == Channel.Phone && !hi.Schedule.HasSeat(c, hcp.Index, day, hi.Schedule.RepCallSeats))
        {
            return PlannedTouchOutcome.RepCapacity;
        }
        return null;
    }

    private static bool InLapse((DateOnly Start, DateOnly End)? lapse, DateOnly day) =>
        lapse is { } l && day >= l.Start && day < l.End;
}
