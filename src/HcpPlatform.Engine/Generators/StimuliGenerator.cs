using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>
/// A planned touch before ids and details are assigned: its local day, its UTC instant, and what it carries.
/// <paramref name="Launch"/> names the product of a product_launch touch; <paramref name="Rep"/> the rep making a rep visit;
/// <paramref name="SuppressedUntil"/> is set on an email or invitation that hard-bounces (the address is suppressed until then).
/// </summary>
internal readonly record struct Touch(DateOnly Day, DateTime At, int Channel, CampaignPlan? Campaign, DateOnly? EventDay, int Detail,
    string? Launch = null, Rep? Rep = null, DateOnly? SuppressedUntil = null);

/// <summary>
/// Stimuli for one HCP and one calendar month (000 Task 7), on the HCP's local days and at local times in each channel's
/// working hours (<see cref="LocalHours"/>, in the HCP's time zone; event times are UTC instants). A month is planned as a
/// whole from keyed streams, so any day's stimuli are the same whichever window asks for them.
/// <list type="bullet">
/// <item>Contact rules hold across month ends without calendar margins: a month is first planned on its own ("raw"), then a
/// touch of a channel with a minimum gap is dropped when the previous month's raw plan has one too close before it (the end
/// of a raw plan never changes, so this needs no recursion).</item>
/// <item>Email: every send of every campaign the HCP is enrolled in (at the campaign's send time, batches a few minutes
/// apart), then single sends ~ Poisson(ρ × the HCP's email mean) on weighted weekdays, where ρ = 1 − the month's campaign
/// sends per HCP / the population's mean email volume (at least 0), so the channel keeps its share.</item>
/// <item>Rep visits come from the field force (<see cref="FieldForce"/>): the HCP's cadence on its rep's route days.</item>
/// <item>Webinar invitations go out a fixed lead before the event; conference touches fall on the HCP's specialty congress;
/// quarter-end months carry more field and email volume; weekdays are weighted; holidays and personal blackout days are
/// empty.</item>
/// <item>Email addresses lapse (AddressLapsesPerYear, 14–28 days): the first email or invitation in a lapse hard-bounces and
/// the later ones in it are not sent.</item>
/// </list>
/// </summary>
public sealed partial class StimuliGenerator(Population population)
{
    private static readonly double[] BusinessWeekday = [0.9, 1.15, 1.2, 1.1, 0.65, 0, 0]; // ISO Mon..Sun
    private static readonly double[] AdWeekday = [1, 1, 1, 1, 1, 0.4, 0.4];
    private static readonly double[] EveryDay = [1, 1, 1, 1, 1, 1, 1];

    /// <summary>Share of delivered-looking emails and invitations that bounce soft (mailbox full), independently of lapses.</summary>
    public const double SoftBounceRate = 0.01;

    /// <summary>Minutes between a campaign's successive send batches (at most 12 batches apart).</summary>
    public const int BatchMinutes = 5;

    /// <summary>
    /// The weekday weights (ISO Mon..Sun) a month's touches of <paramref name="channel"/> are placed with (holidays skipped
    /// and drawn again), or null for a channel dated otherwise (route days, events).
    /// </summary>
    public static IReadOnlyList<double>? WeekdayWeights(int channel) => channel switch
    {
        Channel.Email or Channel.Phone => BusinessWeekday,
        Channel.DigitalAd => AdWeekday,
        _ => null,
    };

    /// <summary>
    /// Whether a channel's touches come from a monthly budget (StimuliPerHcpYear × share / 12 a month, whatever its length),
    /// rather than the field force's daily clock or the congress calendar.
    /// </summary>
    public static bool IsBudgetedByMonth(int channel) => channel is not (Channel.RepVisit or Channel.Conference);

    private readonly SimulationModel _model = population.Model;
    private readonly long _seed = population.Seed;

    // One builder and one set of working lists per thread: a month is planned and a stimulus built millions of
    // times, and the collections they allocated were most of the engine's garbage.
    [ThreadStatic]
    private static Scratch? Lists;

    /// <summary>
    /// The thread's working lists, emptied of what another generator cached in them: the prepared visits and the boundary
    /// ring are keyed by HCP index and month, which mean another HCP in another population (a process can hold several).
    /// </summary>
    private Scratch ListsOfThread()
    {
        var lists = Lists ??= new Scratch();
        if (!ReferenceEquals(lists.Owner, this))
        {
            lists.Own(this);
        }
        return lists;
    }
    // Scenario dynamics (injected events): every hook below is a no-op when no event is configured.
    private readonly ScenarioDynamics _dynamics = new(population);
    // The rows' details (ids, statuses, metadata), drawn once a month's touches are placed.
    private readonly StimulusDetails _details = new(population, new ScenarioDynamics(population));
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, MonthContext> _months = new();
    private FieldForce? _field;

    // Fault injection (EngineFault, tests only): read once; without faults every value below is the documented one.
    private readonly bool _volumeIgnoresAffinity = population.Model.Has(EngineFault.VolumeIgnoresAffinity);
    private readonly bool _quarterEndPush = !population.Model.Has(EngineFault.NoQuarterEndPush);
    private readonly bool _noPhone = population.Model.Has(EngineFault.NoPhoneChannel);
    private readonly bool _flatTiers = population.Model.Has(EngineFault.NoTierTargeting);
    private readonly bool _emailBatches = !population.Model.Has(EngineFault.NoEmailBatches);
    private readonly int _webinarLeadDays = population.Model.Has(EngineFault.WrongWebinarLead)
        ? Math.Max(1, population.Model.Config.WebinarInviteLeadDays / 2) : population.Model.Config.WebinarInviteLeadDays;
    private readonly bool _conferenceOnCongress = !population.Model.Has(EngineFault.ConferenceOffCongress);
    private readonly bool _holidayBlackout = !population.Model.Has(EngineFault.TouchesOnHolidays);
    private readonly bool _monthEdgeMargins = population.Model.Has(EngineFault.MonthEdgeMargins);
    private readonly bool _utcClock = population.Model.Has(EngineFault.UtcClock);
    private readonly bool _sendsByBudget = population.Model.Has(EngineFault.CampaignSendsByBudget);
    private readonly bool _noSuppression = population.Model.Has(EngineFault.NoBounceSuppression);
    private readonly double[] _businessWeekday = population.Model.Has(EngineFault.NoWeekdayWeighting) ? EveryDay : BusinessWeekday;
    // The weightings of the day draws laid out per month shape (business days: the same as above).
    private readonly MonthDays[] _businessDays = MonthDays.Shapes(population.Model.Has(EngineFault.NoWeekdayWeighting) ? EveryDay : BusinessWeekday);
    private readonly MonthDays[] _adDays = MonthDays.Shapes(population.Model.Has(EngineFault.NoWeekdayWeighting) ? EveryDay : AdWeekday);

    private FieldForce Field => _field ??= new FieldForce(population, _dynamics);

    /// <summary>The month's stimuli for one HCP, in time order; <paramref name="activeCampaigns"/> are those overlapping the month.</summary>
    public List<PlannedStimulus> PlanMonth(int hcpIndex, int monthNumber, IReadOnlyList<CampaignPlan> activeCampaigns, IReadOnlyList<DateOnly> webinarEvents)
    {
        var result = new List<PlannedStimulus>();
        PlanMonth(hcpIndex, monthNumber, activeCampaigns, webinarEvents, result);
        return result;
    }

    /// <summary>
    /// As <see cref="PlanMonth(int, int, IReadOnlyList{CampaignPlan}, IReadOnlyList{DateOnly})"/>, into <paramref name="result"/>
    /// (cleared first): the simulator reuses one list for every HCP-month it evaluates.
    /// </summary>
    public void PlanMonth(int hcpIndex, int monthNumber, IReadOnlyList<CampaignPlan> activeCampaigns, IReadOnlyList<DateOnly> webinarEvents, List<PlannedStimulus> result) =>
        PlanMonth(hcpIndex, monthNumber, activeCampaigns, webinarEvents, result, DateOnly.MinValue, DateOnly.MaxValue);

    /// <summary>
    /// As <see cref="PlanMonth(int, int, IReadOnlyList{CampaignPlan}, IReadOnlyList{DateOnly}, List{PlannedStimulus})"/>, where
    /// only the touches whose UTC day is in [<paramref name="rowsFrom"/>, <paramref name="rowsTo"/>] get rows of their own: the
    /// others (months planned only for the Rx drivers they count) get every draw and field but their id, in rows of the thread
    /// reused by its next call, so they must never be emitted nor kept past it.
    /// </summary>
    public void PlanMonth(int hcpIndex, int monthNumber, IReadOnlyList<CampaignPlan> activeCampaigns, IReadOnlyList<DateOnly> webinarEvents,
        List<PlannedStimulus> result, DateOnly rowsFrom, DateOnly rowsTo)
    {
        result.Clear();
        var hcp = population.Traits[hcpIndex];
        var lists = ListsOfThread();
        var touches = lists.Touches;
        touches.Clear();
        // The campaigns a touch may belong to: the month's active campaigns the HCP is enrolled in (in their order), found once.
        var enrolled = lists.Enrolled;
        enrolled.Clear();
        for (var i = 0; i < activeCampaigns.Count; i++)
        {
            if (population.IsEnrolled(activeCampaigns[i], hcpIndex))
            {
                enrolled.Add(activeCampaigns[i]);
            }
        }
        var context = new MonthContext(monthNumber, activeCampaigns, webinarEvents, Context(monthNumber).SingleEmailShare);
        var previous = lists.InUse = RawBoundary(hcp, monthNumber - 1, lists);
        Raw(hcp, context, all: true, touches, lists, enrolled);
        Remember(hcp.Index, monthNumber, touches, lists);

        // Contact rules across the month end: drop what the previous month's raw plan has too close before it.
        if (!_monthEdgeMargins)
        {
            DropTooClose(hcp, touches, previous);
        }
        AddRepVisits(hcp, monthNumber, touches, lists);
        Suppress(hcp, monthNumber, touches, previous, lists);

        SortByTime(touches, lists);
        // Scenario dynamics (seasonal_dip): thin the touches on dip days before ordinals are assigned, so earlier days keep their ids.
        _dynamics.ApplyDips(hcpIndex, touches);

        result.EnsureCapacity(touches.Count);
        var reused = 0;
        for (var ordinal = 0; ordinal < touches.Count; ordinal++)
        {
            var day = DateOnly.FromDateTime(touches[ordinal].At);
            if (day >= rowsFrom && day <= rowsTo)
            {
                result.Add(_details.Materialize(hcp, monthNumber, ordinal, touches[ordinal], enrolled));
                continue;
            }
            if (reused == lists.Unkept.Count)
            {
                lists.Unkept.Add(new StimulusEvent());
            }
            result.Add(_details.Materialize(hcp, monthNumber, ordinal, touches[ordinal], enrolled, lists.Unkept[reused++]));
        }
    }

    /// <summary>
    /// A month planned on its own (the "raw" plan): every channel but rep visits, or (<paramref name="all"/> false) only those
    /// whose touches matter to the next months (email, phone and webinar invitations: minimum gaps and address lapses).
    /// </summary>
    /// <remarks><paramref name="enrolled"/>: the month's campaigns the HCP is enrolled in, in order, when the caller has them.</remarks>
    private void Raw(HcpTraits hcp, in MonthContext month, bool all, List<Touch> touches, Scratch lists, List<CampaignPlan>? enrolled = null)
    {
        var monthNumber = month.Number;
        var monthStart = SimDate.MonthStart(monthNumber);
        var days = SimDate.DaysInMonth(monthNumber);
        var monthOfYear = monthStart.Month;
        var budgetRng = new KeyedRandom(_seed, StreamKind.Budget, hcp.Index, monthNumber);

        Span<int> budgets = stackalloc int[Channel.Count];
        Span<double> means = stackalloc double[Channel.Count]; // kept for product_launch (scenario dynamics)
        for (var c = 0; c < Channel.Count; c++)
        {
            if (!IsBudgetedByMonth(c))
            {
                continue;
            }
            var affinity = _volumeIgnoresAffinity ? _model.AffinityNorm[c] - 0.5 : hcp.Affinity[c];
            var quarter = _quarterEndPush ? _model.QuarterFactor[c, monthOfYear - 1] : 1.0;
            var mean = _model.MonthlyMean[c] * (0.5 + affinity) / _model.AffinityNorm[c]
                * (_flatTiers ? 1.0 : _model.TierVolume[c, hcp.Tier]) * quarter;
            means[c] = mean;
            // Single emails make up what the month's campaign sends leave of the channel's volume.
            var drawn = c == Channel.Email && !_sendsByBudget ? mean * month.SingleEmailShare : mean;
            budgets[c] = Math.Min(budgetRng.Poisson(drawn), hcp.Limits[c].MaxPerMonth);
        }
        if (_noPhone)
        {
            budgets[Channel.Phone] = 0;
        }

        var placed = lists.Placed;
        var drawnDays = lists.Drawn;
        // Email: every send of the HCP's campaigns first (batched, at the campaign's send time), then single sends.
        {
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcp.Index, monthNumber, Channel.Email);
            placed.Clear();
            var sends = lists.Sends;
            sends.Clear();
            IReadOnlyList<CampaignPlan> candidates = enrolled ?? month.Campaigns;
            for (var i = 0; i < candidates.Count; i++)
            {
                var campaign = candidates[i];
                if (!campaign.HasChannel[Channel.Email] || (enrolled is null && !population.IsEnrolled(campaign, hcp.Index)))
                {
                    continue;
                }
                foreach (var d in campaign.SendDays)
                {
                    if (d.Year == monthStart.Year && d.Month == monthStart.Month && !HasSendOn(sends, d))
                    {
                        sends.Add((d, campaign));
                    }
                }
            }
            // (Fault CampaignSendsByBudget: campaign sends drawn at random within the month's email budget, as before.)
            var remaining = budgets[Channel.Email];
            if (!_sendsByBudget)
            {
                sends.Sort((a, b) => a.Day != b.Day ? a.Day.CompareTo(b.Day) : a.Campaign.Index.CompareTo(b.Campaign.Index));
            }
            while (sends.Count > 0 && (!_sendsByBudget || remaining > 0))
            {
                var pick = _sendsByBudget ? rng.NextInt(sends.Count) : 0;
                var (day, campaign) = sends[pick];
                sends.RemoveAt(pick);
                if (!_emailBatches)
                {
                    day = AnyActiveWeekday(ref rng, campaign, monthStart, days) ?? day;
                }
                var ordinal = population.EnrollmentOrdinal(campaign, hcp.Index);
                var hour = campaign.SendHour + Math.Min(ordinal / _model.Config.EmailBatchSize, 12) * BatchMinutes / 60.0 + rng.NextDouble() / 10;
                if (Allowed(hcp, Channel.Email, day, days, placed))
                {
                    placed.Add(day);
                    touches.Add(new Touch(day, At(hcp, day, hour), Channel.Email, campaign, null, ordinal));
                    remaining -= _sendsByBudget ? 1 : 0;
                }
            }
            foreach (var day in PlaceDays(ref rng, hcp, Channel.Email, monthStart, days, remaining, placed, _businessDays, drawnDays))
            {
                touches.Add(new Touch(day, At(hcp, day, LocalHours.SingleEmail.Draw(ref rng)), Channel.Email, null, null, -1));
            }
            AddLaunchTouches(hcp, Channel.Email, monthNumber, days, means, placed, touches);
        }

        {
            placed.Clear();
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcp.Index, monthNumber, Channel.Phone);
            foreach (var day in PlaceDays(ref rng, hcp, Channel.Phone, monthStart, days, budgets[Channel.Phone], placed, _businessDays, drawnDays))
            {
                touches.Add(new Touch(day, At(hcp, day, LocalHours.Phone.Draw(ref rng)), Channel.Phone, null, null, -1));
            }
            AddLaunchTouches(hcp, Channel.Phone, monthNumber, days, means, placed, touches);
        }

        // Webinar invitations go out exactly the lead time before the event they invite to.
        {
            placed.Clear();
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcp.Index, monthNumber, Channel.Webinar);
            var candidates = lists.Webinars;
            candidates.Clear();
            for (var i = 0; i < month.Webinars.Count; i++)
            {
                candidates.Add(month.Webinars[i]);
            }
            var remaining = budgets[Channel.Webinar];
            while (remaining > 0 && candidates.Count > 0)
            {
                var pick = rng.NextInt(candidates.Count);
                var eventDay = candidates[pick];
                candidates.RemoveAt(pick);
                var invite = eventDay.AddDays(-_webinarLeadDays);
                if (Allowed(hcp, Channel.Webinar, invite, days, placed))
                {
                    placed.Add(invite);
                    touches.Add(new Touch(invite, At(hcp, invite, LocalHours.WebinarInvite.Draw(ref rng)), Channel.Webinar, null, eventDay, -1));
                    remaining--;
                }
            }
        }
        if (!all)
        {
            return;
        }

        {
            placed.Clear();
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcp.Index, monthNumber, Channel.DigitalAd);
            foreach (var day in PlaceDays(ref rng, hcp, Channel.DigitalAd, monthStart, days, budgets[Channel.DigitalAd], placed, _adDays, drawnDays))
            {
                touches.Add(new Touch(day, At(hcp, day, LocalHours.DigitalAd.Draw(ref rng)), Channel.DigitalAd, null, null, -1));
            }
        }

        // Conference touches: only on the days of the HCP's specialty congress, in the month it opens, at congress time.
        var congressStart = Specialties.CongressStart(hcp.Specialty, monthStart.Year);
        if (congressStart.Month == monthStart.Month)
        {
            var rng = new KeyedRandom(_seed, StreamKind.Conference, hcp.Index, monthStart.Year);
            var attend = Math.Min(1.0, _model.CongressAttendance * (0.5 + hcp.Affinity[Channel.Conference]) / _model.AffinityNorm[Channel.Conference]);
            if (rng.Chance(attend))
            {
                var length = Specialties.CongressFor(hcp.Specialty).Days;
                var wanted = Math.Min(rng.NextInt(1, 3), Math.Min(length, hcp.Limits[Channel.Conference].MaxPerMonth));
                var offsets = Enumerable.Range(0, length).ToList();
                for (var i = 0; i < wanted; i++)
                {
                    var pick = rng.NextInt(offsets.Count);
                    var day = _conferenceOnCongress ? congressStart.AddDays(offsets[pick]) : monthStart.AddDays(rng.NextInt(days));
                    offsets.RemoveAt(pick);
                    if (!IsHoliday(day) && !hcp.IsPersonalBlackout(day))
                    {
                        var hour = LocalHours.Conference.Draw(ref rng);
                        var at = _utcClock ? SimDate.AtUtc(day, hour + 5) : LocalHours.CongressZone.ToUtc(day, hour);
                        touches.Add(new Touch(day, at, Channel.Conference, null, congressStart, i));
                    }
                }
            }
        }
    }

    /// <summary>The UTC instant of a local hour on a local day in the HCP's time zone (fault UtcClock: on Eastern time for everyone).</summary>
    private DateTime At(HcpTraits hcp, DateOnly day, double localHour) =>
        (_utcClock ? UsTimeZone.Eastern : hcp.TimeZone).ToUtc(day, localHour);

    /// <summary>Rep visits of the month from the field force: the HCP's monthly maximum holds, and the minimum gap to its previous due visit.</summary>
    private void AddRepVisits(HcpTraits hcp, int monthNumber, List<Touch> touches, Scratch lists)
    {
        var monthStart = SimDate.MonthStart(monthNumber);
        var monthEnd = monthStart.AddDays(SimDate.DaysInMonth(monthNumber) - 1);
        var rule = hcp.Limits[Channel.RepVisit];
        var visits = lists.Visits;
        VisitsOf(hcp.Index, monthStart.AddDays(-rule.MinDaysBetween), monthEnd, visits, lists);
        DateOnly? previous = null;
        var count = 0;
        foreach (var v in visits)
        {
            var tooClose = previous is { } p && v.Day.DayNumber - p.DayNumber < rule.MinDaysBetween;
            previous = v.Day;
            if (v.Day < monthStart || tooClose || count >= Math.Max(rule.MaxPerMonth, _model.Has(EngineFault.IgnoreNoSee) ? 4 : 0))
            {
                continue;
            }
            count++;
            touches.Add(new Touch(v.Day, At(hcp, v.Day, v.LocalHour), Channel.RepVisit, null, null, count - 1, v.Launch, v.Rep));
        }
    }

    /// <summary>
    /// Looks up, once, the rep visits of an HCP whose months <paramref name="firstMonth"/> to <paramref name="lastMonth"/> are
    /// about to be planned in order on this thread (each month's plan then takes its own from them, rather than looking up
    /// the weeks its range shares with the previous month's again). Only a saving: a plan asks the field force as before
    /// for anything else.
    /// </summary>
    public void PrepareVisits(int hcpIndex, int firstMonth, int lastMonth)
    {
        var lists = ListsOfThread();
        var from = SimDate.MonthStart(firstMonth).AddDays(-population.Traits[hcpIndex].Limits[Channel.RepVisit].MinDaysBetween);
        var to = SimDate.MonthStart(lastMonth).AddDays(SimDate.DaysInMonth(lastMonth) - 1);
        lists.Prepared = (-1, from, to); // (not valid until filled)
        Field.VisitsOf(hcpIndex, from, to, lists.PreparedVisits);
        lists.Prepared = (hcpIndex, from, to);
    }

    /// <summary>
    /// <see cref="FieldForce.VisitsOf"/>, from the prepared visits when they cover the range: the field force's visits of an
    /// HCP in a range are those of any wider range within it (a visit is dated in its own week, and whether a week is looked
    /// at depends only on the HCP and the week), in day order (an HCP has at most one visit a week, so no two on one day).
    /// </summary>
    private void VisitsOf(int hcp, DateOnly from, DateOnly to, List<FieldVisit> into, Scratch lists)
    {
        if (lists.Prepared.Hcp != hcp || from < lists.Prepared.From || to > lists.Prepared.To)
        {
            Field.VisitsOf(hcp, from, to, into);
            return;
        }
        into.Clear();
        foreach (var v in lists.PreparedVisits)
        {
            if (v.Day >= from && v.Day <= to)
            {
                into.Add(v);
            }
        }
    }

    /// <summary>
    /// The touches of a month's raw plan that bear on the next months (email, phone, webinar invitations), kept per thread
    /// for the months after (an HCP's months are planned in order on one thread); planned here when not kept.
    /// </summary>
    private List<Touch> RawBoundary(HcpTraits hcp, int monthNumber, Scratch lists)
    {
        foreach (var cached in lists.Boundary)
        {
            if (cached.Hcp == hcp.Index && cached.Month == monthNumber)
            {
                return cached.Touches;
            }
        }
        var entry = lists.NextSlot();
        entry.Hcp = hcp.Index;
        entry.Month = monthNumber;
        entry.Touches.Clear();
        var context = Context(monthNumber);
        Raw(hcp, context, all: false, entry.Touches, lists);
        return entry.Touches;
    }

    /// <summary>Keeps a month's raw boundary touches for the next month's plan (the ring holds the last four months planned).</summary>
    private static void Remember(int hcp, int monthNumber, List<Touch> raw, Scratch lists)
    {
        var entry = lists.NextSlot();
        entry.Hcp = hcp;
        entry.Month = monthNumber;
        entry.Touches.Clear();
        foreach (var t in raw)
        {
            if (t.Channel is Channel.Email or Channel.Phone or Channel.Webinar)
            {
                entry.Touches.Add(t);
            }
        }
    }

    /// <summary>Leaves out the touches of a channel with a minimum gap that come too soon after one of the previous month's raw plan.</summary>
    private static void DropTooClose(HcpTraits hcp, List<Touch> touches, List<Touch> previous)
    {
        // A loop rather than RemoveAll with a capturing lambda: this runs for every HCP-month.
        var kept = 0;
        for (var i = 0; i < touches.Count; i++)
        {
            var t = touches[i];
            if (!TooClose(hcp, t, previous))
            {
                touches[kept++] = t;
            }
        }
        touches.RemoveRange(kept, touches.Count - kept);
    }

    private static bool TooClose(HcpTraits hcp, in Touch t, List<Touch> previous)
    {
        var gap = hcp.Limits[t.Channel].MinDaysBetween;
        if (gap < 2)
        {
            return false;
        }
        foreach (var p in previous)
        {
            if (p.Channel == t.Channel && t.Day.DayNumber - p.Day.DayNumber < gap)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Address lapses (of this month and the previous one): the first email or invitation sent in a lapse hard-bounces
    /// (carrying the lapse's end), the later ones in it are not sent. Fault NoBounceSuppression: 3% of emails and
    /// invitations bounce hard independently and nothing is suppressed.
    /// </summary>
    private void Suppress(HcpTraits hcp, int monthNumber, List<Touch> touches, List<Touch> previousRaw, Scratch lists)
    {
        if (_noSuppression)
        {
            for (var i = 0; i < touches.Count; i++)
            {
                var t = touches[i];
                if (t.Channel is Channel.Email or Channel.Webinar
                    && new KeyedRandom(_seed, StreamKind.AddressLapse, hcp.Index, t.Day.DayNumber, 1).Chance(0.03))
                {
                    touches[i] = t with { SuppressedUntil = t.Day.AddDays(14) };
                }
            }
            return;
        }
        List<Touch>? earlier = null;
        for (var m = monthNumber - 1; m <= monthNumber; m++)
        {
            if (Lapse(hcp.Index, m) is not { } lapse)
            {
                continue;
            }
            // The sends in the lapse, in time order: those of the previous month as it was sent (its raw plan less what its own
            // previous month dropped), then this month's.
            if (m < monthNumber && earlier is null)
            {
                earlier = [];
                foreach (var t in previousRaw)
                {
                    if (t.Channel is Channel.Email or Channel.Webinar)
                    {
                        earlier.Add(t);
                    }
                }
                DropTooClose(hcp, earlier, RawBoundary(hcp, monthNumber - 2, lists));
            }
            SuppressIn(touches, earlier, lapse.Start, lapse.End);
        }
    }

    /// <summary>One lapse [<paramref name="start"/>, <paramref name="end"/>) of <see cref="Suppress"/> (loops, no closures: it runs for every HCP-month).</summary>
    private static void SuppressIn(List<Touch> touches, List<Touch>? earlier, DateOnly start, DateOnly end)
    {
        DateTime? bounce = null;
        if (earlier is not null)
        {
            foreach (var t in earlier)
            {
                if (t.Day >= start && t.Day < end)
                {
                    bounce = bounce is { } b && b < t.At ? b : t.At;
                }
            }
        }
        for (var i = 0; i < touches.Count; i++)
        {
            var t = touches[i];
            if (t.Channel is Channel.Email or Channel.Webinar && t.Day >= start && t.Day < end && (bounce is not { } b || t.At < b))
            {
                bounce = t.At;
            }
        }
        var kept = 0;
        for (var i = 0; i < touches.Count; i++)
        {
            var t = touches[i];
            if (!(t.Channel is Channel.Email or Channel.Webinar && t.Day >= start && t.Day < end && bounce is { } b && t.At > b))
            {
                touches[kept++] = t;
            }
        }
        touches.RemoveRange(kept, touches.Count - kept);
        for (var i = 0; i < touches.Count; i++)
        {
            if (touches[i].At == bounce && touches[i].Channel is Channel.Email or Channel.Webinar)
            {
                touches[i] = touches[i] with { SuppressedUntil = end };
            }
        }
    }

    /// <summary>The address lapse starting in a month, if any: [start, end), 14–28 days.</summary>
    private (DateOnly Start, DateOnly End)? Lapse(int hcp, int monthNumber)
    {
        var rng = new KeyedRandom(_seed, StreamKind.AddressLapse, hcp, monthNumber);
        if (!rng.Chance(_model.Config.AddressLapsesPerYear / 12))
        {
            return null;
        }
        var start = SimDate.MonthStart(monthNumber).AddDays(rng.NextInt(SimDate.DaysInMonth(monthNumber)));
        return (start, start.AddDays(rng.NextInt(14, 28)));
    }

    /// <summary>What planning a month needs that is the same for every HCP: campaigns, webinars, the single-email share.</summary>
    private readonly record struct MonthContext(int Number, IReadOnlyList<CampaignPlan> Campaigns, IReadOnlyList<DateOnly> Webinars, double SingleEmailShare);

    private MonthContext Context(int monthNumber) => _months.GetOrAdd(monthNumber, static (m, self) => self.BuildContext(m), this);

    private MonthContext BuildContext(int monthNumber)
    {
        var start = SimDate.MonthStart(monthNumber);
        var end = start.AddDays(SimDate.DaysInMonth(monthNumber) - 1);
        var campaigns = population.Campaigns.Overlapping(start, end);
        var webinars = WebinarCalendar.EventsInvitedBetween(_seed, start, end, _model.Config.WebinarInviteLeadDays).ToArray();
        // Campaign sends per HCP this month, against the population's mean email volume: the share left to single sends.
        var sends = 0.0;
        foreach (var c in campaigns)
        {
            if (c.HasChannel[Channel.Email])
            {
                sends += (double)c.SendDays.Count(d => d >= start && d <= end) * population.EnrolledCount(c);
            }
        }
        var mean = _model.MonthlyMean[Channel.Email] * (_quarterEndPush ? _model.QuarterFactor[Channel.Email, start.Month - 1] : 1.0);
        var share = Math.Max(0, 1 - sends / Math.Max(1, population.Count) / mean);
        return new MonthContext(monthNumber, campaigns, webinars, share);
    }

    /// <summary>
    /// Scenario dynamics (product_launch): extra launch touches on launch days, kept where the HCP's contact rules
    /// allow. Placed after the channel's regular touches, so those never move.
    /// </summary>
    private void AddLaunchTouches(HcpTraits hcp, int channel, int monthNumber, int days, ReadOnlySpan<double> means, List<DateOnly> placed, List<Touch> touches)
    {
        if (_dynamics.IsEmpty || !_dynamics.HasLaunch(channel, monthNumber))
        {
            return;
        }
        foreach (var (day, hour, product) in _dynamics.LaunchTouches(hcp, channel, monthNumber, means[channel], _businessWeekday))
        {
            if (!placed.Contains(day) && Allowed(hcp, channel, day, days, placed))
            {
                placed.Add(day);
                touches.Add(new Touch(day, At(hcp, day, hour), channel, null, null, -1, product));
            }
        }
    }

    /// <summary>Draws up to <paramref name="count"/> distinct allowed days, weighted by weekday.</summary>
    private List<DateOnly> PlaceDays(ref KeyedRandom rng, HcpTraits hcp, int channel, DateOnly monthStart, int days, int count, List<DateOnly> placed, MonthDays[] shapes, List<DateOnly> result)
    {
        result.Clear();
        if (count <= 0)
        {
            return result;
        }
        // Each draw is rng.Choose over the month's days weighted by weekday, a drawn day's weight set to zero. Weights are never
        // negative, and a zero weight neither changes the sums (x + 0 is x) nor is ever chosen, so the days of positive weight
        // are kept in order, alone (a drawn one removed), and the draw is the same; days are left while one of them is.
        // Choose's running sums are kept (sums[i] = ((w0 + w1) + …) + wi, added in the same order, so the same values): its
        // total is the last, its pick the first sum above the target (found by bisection, the sums increasing), and a removal
        // re-adds only the sums after it. The month's shape (its first weekday and length) gives the starting arrays.
        var shape = shapes[MonthDays.IndexOf(monthStart, days)];
        var left = shape.Offsets.Length;
        Span<double> weights = stackalloc double[left];
        Span<double> sums = stackalloc double[left];
        Span<int> offsets = stackalloc int[left];
        shape.Weights.CopyTo(weights);
        shape.Sums.CopyTo(sums);
        shape.Offsets.CopyTo(offsets);
        while (result.Count < count && left > 0)
        {
            var target = rng.NextDouble() * sums[left - 1];
            // The first sum above the target: one exists, as the target is below the total (a uniform below 1 times it).
            var lo = 0;
            var hi = left - 1;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (target < sums[mid])
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }
            var pick = offsets[lo];
            weights[(lo + 1)..left].CopyTo(weights[lo..]);
            offsets[(lo + 1)..left].CopyTo(offsets[lo..]);
            left--;
            for (var i = lo; i < left; i++)
            {
                sums[i] = (i == 0 ? 0.0 : sums[i - 1]) + weights[i];
            }
            var day = monthStart.AddDays(pick);
            if (Allowed(hcp, channel, day, days, placed))
            {
                placed.Add(day);
                result.Add(day);
            }
        }
        return result;
    }

    /// <summary>
    /// A day is allowed for a channel when it is not a holiday or personal blackout, is a preferred weekday (where the HCP
    /// has preferences), keeps the minimum gap to the channel's other touches of the month and leaves the month's maximum.
    /// (The gap to the previous month's touches is kept by <see cref="DropTooClose"/>; fault MonthEdgeMargins keeps it with
    /// margins at each end of the month instead.)
    /// </summary>
    private bool Allowed(HcpTraits hcp, int channel, DateOnly day, int daysInMonth, List<DateOnly> placed)
    {
        if (IsHoliday(day) || hcp.IsPersonalBlackout(day))
        {
            return false;
        }
        var rule = hcp.Limits[channel];
        if (rule.PreferredWeekdayMask != 0 && (rule.PreferredWeekdayMask & (1 << (SimDate.IsoWeekday(day) - 1))) == 0)
        {
            return false;
        }
        var gap = rule.MinDaysBetween;
        if (_monthEdgeMargins && gap >= 2)
        {
            var endMargin = (gap - 1) / 2;
            var startMargin = gap - 1 - endMargin;
            if (day.Day <= startMargin || day.Day > daysInMonth - endMargin)
            {
                return false;
            }
        }
        if (gap >= 1)
        {
            foreach (var p in placed)
            {
                if (Math.Abs(p.DayNumber - day.DayNumber) < gap)
                {
                    return false;
                }
            }
        }
        return placed.Count < rule.MaxPerMonth;
    }

    private bool IsHoliday(DateOnly day) => _holidayBlackout && UsHolidays.IsBlackout(day);

    /// <summary>Fault NoEmailBatches only: a uniformly drawn weekday of the month on which the campaign runs.</summary>
    private static DateOnly? AnyActiveWeekday(ref KeyedRandom rng, CampaignPlan campaign, DateOnly monthStart, int days)
    {
        var candidates = Enumerable.Range(0, days).Select(monthStart.AddDays).Where(d => campaign.IsActive(d) && !SimDate.IsWeekend(d)).ToList();
        return candidates.Count == 0 ? null : candidates[rng.NextInt(candidates.Count)];
    }


    /// <summary>What a month's touches are sorted by: time, then channel, then the touch's place in the planned (unsorted) list.</summary>
    private readonly record struct TouchKey(long Ticks, int Channel, int Index);

    /// <summary>
    /// By time (as DateTime.CompareTo: by ticks), then channel, then place in the planned list. Places differ, so this is a
    /// total order: the sorted order is the one stable sort by time and channel, whichever algorithm produces it.
    /// </summary>
    private static int ByTime(TouchKey a, TouchKey b)
    {
        var byTime = a.Ticks.CompareTo(b.Ticks);
        if (byTime != 0)
        {
            return byTime;
        }
        var byChannel = a.Channel.CompareTo(b.Channel);
        return byChannel != 0 ? byChannel : a.Index.CompareTo(b.Index);
    }

    /// <summary>Up to this many touches (most months) are sorted by insertion sort, with no comparison delegate.</summary>
    private const int InsertionSortMax = 16;

    /// <summary>
    /// Sorts a month's touches by time, then channel; touches equal in both keep their planned order (a stable sort, see
    /// <see cref="ByTime"/>). No plan has such a pair: a channel's touches of a month fall on distinct days. The keys are sorted,
    /// then the touches moved once each (a touch is large and holds references: moving it at every step of the sort was most
    /// of its cost).
    /// </summary>
    private static void SortByTime(List<Touch> touches, Scratch lists)
    {
        var n = touches.Count;
        if (n < 2)
        {
            return;
        }
        var keys = lists.Keys(n);
        for (var i = 0; i < n; i++)
        {
            keys[i] = new TouchKey(touches[i].At.Ticks, touches[i].Channel, i);
        }
        if (n <= InsertionSortMax)
        {
            // Each key moves left past the keys after it in order; keys[..i] are sorted before step i.
            for (var i = 1; i < n; i++)
            {
                var key = keys[i];
                var j = i - 1;
                while (j >= 0 && ByTime(key, keys[j]) < 0)
                {
                    keys[j + 1] = keys[j];
                    j--;
                }
                keys[j + 1] = key;
            }
        }
        else
        {
            keys.Sort(ByTime);
        }
        var unsorted = lists.Unsorted;
        unsorted.Clear();
        unsorted.AddRange(touches);
        var span = CollectionsMarshal.AsSpan(touches);
        for (var i = 0; i < n; i++)
        {
            span[i] = unsorted[keys[i].Index];
        }
    }

    /// <summary>
    /// A month's days of positive weight under a weekday weighting (offsets from its first day, in order), their weights and
    /// running sums, for each month shape: its first day's ISO weekday and its length (28–31 days).
    /// </summary>
    private sealed class MonthDays
    {
        public required double[] Weights { get; init; }
        public required double[] Sums { get; init; }
        public required int[] Offsets { get; init; }

        public static int IndexOf(DateOnly monthStart, int days) => (SimDate.IsoWeekday(monthStart) - 1) * 4 + days - 28;

        public static MonthDays[] Shapes(double[] weekdayWeights)
        {
            var shapes = new MonthDays[7 * 4];
            for (var first = 0; first < 7; first++)
            {
                for (var days = 28; days <= 31; days++)
                {
                    var weights = new List<double>();
                    var sums = new List<double>();
                    var offsets = new List<int>();
                    var sum = 0.0;
                    for (int d = 0, weekday = first; d < days; d++, weekday = weekday == 6 ? 0 : weekday + 1)
                    {
                        if (weekdayWeights[weekday] > 0)
                        {
                            weights.Add(weekdayWeights[weekday]);
                            sum += weekdayWeights[weekday];
                            sums.Add(sum);
                            offsets.Add(d);
                        }
                    }
                    shapes[first * 4 + days - 28] = new MonthDays { Weights = [.. weights], Sums = [.. sums], Offsets = [.. offsets] };
                }
            }
            return shapes;
        }
    }

    private static bool HasSendOn(List<(DateOnly Day, CampaignPlan Campaign)> sends, DateOnly day)
    {
        foreach (var s in sends)
        {
            if (s.Day == day)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Working lists of <see cref="PlanMonth"/>, reused by the thread's next call.</summary>
    private sealed class Scratch
    {
        /// <summary>The generator whose HCPs the cached visits and boundary plans are.</summary>
        public StimuliGenerator? Owner { get; private set; }

        /// <summary>Forgets every cached plan and visit: they were another generator's.</summary>
        public void Own(StimuliGenerator owner)
        {
            Owner = owner;
            Prepared = (-1, default, default);
            foreach (var entry in Boundary)
            {
                entry.Hcp = -1;
                entry.Month = -1;
            }
        }

        public List<Touch> Touches { get; } = new(16);
        public List<FieldVisit> Visits { get; } = new(8);
        /// <summary>The visits <see cref="PrepareVisits"/> looked up, and for which HCP and days (HCP −1: none).</summary>
        public List<FieldVisit> PreparedVisits { get; } = new(64);
        public (int Hcp, DateOnly From, DateOnly To) Prepared { get; set; } = (-1, default, default);
        /// <summary>The last raw plans' boundary touches (email, phone, invitations), by HCP and month.</summary>
        public BoundaryPlan[] Boundary { get; } = [new(), new(), new(), new()];
        public int NextBoundary { get; set; }

        /// <summary>
        /// The slot to write next, never the one holding the previous month a plan is using (an HCP planned again from an
        /// earlier month on the same thread — a counterfactual — can find that month in the ring's oldest slot).
        /// </summary>
        public BoundaryPlan NextSlot()
        {
            var entry = Boundary[NextBoundary];
            NextBoundary = (NextBoundary + 1) % Boundary.Length;
            if (ReferenceEquals(entry.Touches, InUse))
            {
                entry = Boundary[NextBoundary];
                NextBoundary = (NextBoundary + 1) % Boundary.Length;
            }
            return entry;
        }

        /// <summary>The previous month's boundary touches the plan in progress reads.</summary>
        public List<Touch>? InUse { get; set; }
        public List<DateOnly> Placed { get; } = new(16);
        public List<DateOnly> Drawn { get; } = new(16);
        public List<DateOnly> Webinars { get; } = new(8);
        public List<(DateOnly Day, CampaignPlan Campaign)> Sends { get; } = new(8);
        public List<CampaignPlan> Enrolled { get; } = new(8);
        private TouchKey[] _keys = new TouchKey[32];

        /// <summary>Room for the sort keys of <paramref name="length"/> touches.</summary>
        public Span<TouchKey> Keys(int length)
        {
            if (_keys.Length < length)
            {
                _keys = new TouchKey[length];
            }
            return _keys.AsSpan(0, length);
        }

        /// <summary>The touches in their order before the sort.</summary>
        public List<Touch> Unsorted { get; } = new(32);

        /// <summary>Rows of the touches planned without one of their own (see PlanMonth's rowsFrom), reused by the next plan.</summary>
        public List<StimulusEvent> Unkept { get; } = new(32);
    }

    private sealed class BoundaryPlan
    {
        public int Hcp { get; set; } = -1;
        public int Month { get; set; } = -1;
        public List<Touch> Touches { get; } = new(8);
    }

    /// <summary>FNV-1a over UTF-16 code units: stable across runs and runtimes, unlike string.GetHashCode.</summary>
    internal static ulong StableHash(string text) => StableHash(FnvOffset, text);

    private const ulong FnvOffset = 14695981039346656037UL;

    /// <summary>Continues an FNV-1a hash over more text: hashing a then b equals hashing a + b, without building it.</summary>
    private static ulong StableHash(ulong h, string text)
    {
        foreach (var ch in text)
        {
            h = (h ^ ch) * 1099511628211UL;
        }
        return h;
    }
}
