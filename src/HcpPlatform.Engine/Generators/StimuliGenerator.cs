using System.Globalization;
using System.Text;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

/// <summary>A planned touch before ids and details are assigned; <paramref name="Launch"/> names the product of a product_launch touch.</summary>
internal readonly record struct Touch(DateOnly Day, int Channel, double Hour, CampaignPlan? Campaign, DateOnly? EventDay, int Detail, string? Launch = null);

/// <summary>
/// Stimuli for one HCP and one calendar month (000 Task 7). A month is planned as a whole from keyed
/// streams, so any day's stimuli are the same whichever window asks for them. Temporal patterns:
/// rep visits share a day per (rep, city, half-month); campaign emails go out on the campaign's weekly
/// send days in batches; webinar invites go out a fixed lead before the event; conference touches fall on
/// the HCP's specialty congress; quarter-end months carry more field and email volume; weekdays are
/// weighted and holidays and personal blackout days are empty. Contact limits hold by construction.
/// </summary>
public sealed class StimuliGenerator(Population population)
{
    private static readonly double[] BusinessWeekday = [0.9, 1.15, 1.2, 1.1, 0.65, 0, 0]; // ISO Mon..Sun
    private static readonly double[] AdWeekday = [1, 1, 1, 1, 1, 0.4, 0.4];
    private static readonly double[] EveryDay = [1, 1, 1, 1, 1, 1, 1];

    private readonly SimulationModel _model = population.Model;
    private readonly long _seed = population.Seed;

    // One set of working lists per thread: a month is planned millions of times, and the collections it allocated were most
    // of the engine's garbage.
    [ThreadStatic]
    private static Scratch? Lists;
    // Scenario dynamics (injected events): every hook below is a no-op when no event is configured.
    private readonly ScenarioDynamics _dynamics = new(population);
    // The rows' details (ids, statuses, metadata), drawn once a month's touches are placed.
    private readonly StimulusDetails _details = new(population, new ScenarioDynamics(population));

    // Fault injection (EngineFault, tests only): read once; without faults every value below is the documented one.
    private readonly bool _volumeIgnoresAffinity = population.Model.Has(EngineFault.VolumeIgnoresAffinity);
    private readonly bool _quarterEndPush = !population.Model.Has(EngineFault.NoQuarterEndPush);
    private readonly bool _noPhone = population.Model.Has(EngineFault.NoPhoneChannel);
    private readonly bool _repCityDay = !population.Model.Has(EngineFault.NoRepCityDay);
    private readonly bool _emailBatches = !population.Model.Has(EngineFault.NoEmailBatches);
    private readonly int _webinarLeadDays = population.Model.Has(EngineFault.WrongWebinarLead)
        ? Math.Max(1, population.Model.Config.WebinarInviteLeadDays / 2) : population.Model.Config.WebinarInviteLeadDays;
    private readonly bool _conferenceOnCongress = !population.Model.Has(EngineFault.ConferenceOffCongress);
    private readonly bool _holidayBlackout = !population.Model.Has(EngineFault.TouchesOnHolidays);
    private readonly double[] _businessWeekday = population.Model.Has(EngineFault.NoWeekdayWeighting) ? EveryDay : BusinessWeekday;
    private readonly double[] _adWeekday = population.Model.Has(EngineFault.NoWeekdayWeighting) ? EveryDay : AdWeekday;

    /// <summary>The month's stimuli for one HCP, in time order; <paramref name="activeCampaigns"/> are those overlapping the month.</summary>
    public List<PlannedStimulus> PlanMonth(int hcpIndex, int monthNumber, IReadOnlyList<CampaignPlan> activeCampaigns, IReadOnlyList<DateOnly> webinarEvents)
    {
        var hcp = population.Traits[hcpIndex];
        var monthStart = SimDate.MonthStart(monthNumber);
        var days = SimDate.DaysInMonth(monthNumber);
        var monthOfYear = monthStart.Month;
        var lists = Lists ??= new Scratch();
        var touches = lists.Touches;
        touches.Clear();
        var budgetRng = new KeyedRandom(_seed, StreamKind.Budget, hcpIndex, monthNumber);

        Span<int> budgets = stackalloc int[Channel.Count];
        Span<double> means = stackalloc double[Channel.Count]; // kept for product_launch (scenario dynamics)
        for (var c = 0; c < Channel.Count; c++)
        {
            if (c == Channel.Conference)
            {
                continue;
            }
            var affinity = _volumeIgnoresAffinity ? _model.AffinityNorm[c] - 0.5 : hcp.Affinity[c];
            var quarter = _quarterEndPush ? _model.QuarterFactor[c, monthOfYear - 1] : 1.0;
            var mean = _model.MonthlyMean[c] * (0.5 + affinity) / _model.AffinityNorm[c]
                * _model.TierVolume[c, hcp.Tier] * quarter;
            means[c] = mean;
            budgets[c] = Math.Min(budgetRng.Poisson(mean), hcp.Limits[c].MaxPerMonth);
        }
        if (_noPhone)
        {
            budgets[Channel.Phone] = 0;
        }

        var placed = lists.Placed;
        var drawn = lists.Drawn;
        // Email: the HCP's campaign send days first (batched blasts), then single sends on weighted weekdays.
        {
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcpIndex, monthNumber, Channel.Email);
            placed.Clear();
            var sends = lists.Sends;
            sends.Clear();
            for (var i = 0; i < activeCampaigns.Count; i++)
            {
                var campaign = activeCampaigns[i];
                if (!campaign.HasChannel[Channel.Email] || !population.IsEnrolled(campaign, hcpIndex))
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
            var remaining = budgets[Channel.Email];
            while (remaining > 0 && sends.Count > 0)
            {
                var pick = rng.NextInt(sends.Count);
                var (day, campaign) = sends[pick];
                sends.RemoveAt(pick);
                if (!_emailBatches)
                {
                    day = AnyActiveWeekday(ref rng, campaign, monthStart, days) ?? day;
                }
                if (Allowed(hcp, Channel.Email, day, days, placed))
                {
                    placed.Add(day);
                    touches.Add(new Touch(day, Channel.Email, 13.0 + rng.NextDouble() * 2, campaign, null, population.EnrollmentOrdinal(campaign, hcpIndex)));
                    remaining--;
                }
            }
            foreach (var day in PlaceDays(ref rng, hcp, Channel.Email, monthStart, days, remaining, placed, _businessWeekday, drawn))
            {
                touches.Add(new Touch(day, Channel.Email, 13.0 + rng.NextDouble() * 9, null, null, -1));
            }
            AddLaunchTouches(hcp, Channel.Email, monthNumber, days, means, placed, touches);
        }

        // Rep visits: the rep works a city on one day per half-month, so visits cluster by rep, city and day.
        {
            placed.Clear();
            var visits = Math.Min(budgets[Channel.RepVisit], 2);
            for (var j = 0; j < visits; j++)
            {
                var day = RepCityDay(hcp, monthNumber, j);
                if (day is { } d && Allowed(hcp, Channel.RepVisit, d, days, placed))
                {
                    placed.Add(d);
                    // Calls follow the rep's route: 45 minutes apart in rank order, within the UTC day.
                    touches.Add(new Touch(d, Channel.RepVisit, 13.0 + 0.75 * hcp.RankInRep, null, null, j));
                }
            }
            AddLaunchTouches(hcp, Channel.RepVisit, monthNumber, days, means, placed, touches);
        }

        {
            placed.Clear();
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcpIndex, monthNumber, Channel.Phone);
            foreach (var day in PlaceDays(ref rng, hcp, Channel.Phone, monthStart, days, budgets[Channel.Phone], placed, _businessWeekday, drawn))
            {
                touches.Add(new Touch(day, Channel.Phone, 14.0 + rng.NextDouble() * 8, null, null, -1));
            }
            AddLaunchTouches(hcp, Channel.Phone, monthNumber, days, means, placed, touches);
        }

        // Webinar invitations go out exactly the lead time before the event they invite to.
        {
            placed.Clear();
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcpIndex, monthNumber, Channel.Webinar);
            var candidates = lists.Webinars;
            candidates.Clear();
            for (var i = 0; i < webinarEvents.Count; i++)
            {
                candidates.Add(webinarEvents[i]);
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
                    touches.Add(new Touch(invite, Channel.Webinar, 14.0 + rng.NextDouble() * 2, null, eventDay, -1));
                    remaining--;
                }
            }
        }

        {
            placed.Clear();
            var rng = new KeyedRandom(_seed, StreamKind.Placement, hcpIndex, monthNumber, Channel.DigitalAd);
            foreach (var day in PlaceDays(ref rng, hcp, Channel.DigitalAd, monthStart, days, budgets[Channel.DigitalAd], placed, _adWeekday, drawn))
            {
                touches.Add(new Touch(day, Channel.DigitalAd, 11.0 + rng.NextDouble() * 12.9, null, null, -1));
            }
        }

        // Conference touches: only on the days of the HCP's specialty congress, in the month it opens.
        var congressStart = Specialties.CongressStart(hcp.Specialty, monthStart.Year);
        if (congressStart.Month == monthStart.Month)
        {
            var rng = new KeyedRandom(_seed, StreamKind.Conference, hcpIndex, monthStart.Year);
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
                    if (!IsHoliday(day) && !IsPersonalBlackout(hcp, day))
                    {
                        touches.Add(new Touch(day, Channel.Conference, 13.0 + rng.NextDouble() * 9, null, congressStart, i));
                    }
                }
            }
        }

        touches.Sort((a, b) =>
        {
            var byDay = a.Day.CompareTo(b.Day);
            if (byDay != 0)
            {
                return byDay;
            }
            var byHour = a.Hour.CompareTo(b.Hour);
            return byHour != 0 ? byHour : a.Channel.CompareTo(b.Channel);
        });
        // Scenario dynamics (seasonal_dip): thin the touches on dip days before ordinals are assigned, so earlier days keep their ids.
        _dynamics.ApplyDips(hcpIndex, touches);

        var result = new List<PlannedStimulus>(touches.Count);
        for (var ordinal = 0; ordinal < touches.Count; ordinal++)
        {
            var t = touches[ordinal];
            result.Add(_details.Materialize(hcp, monthNumber, ordinal, t, activeCampaigns));
        }
        return result;
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
                touches.Add(new Touch(day, channel, hour, null, null, -1, product));
            }
        }
    }

    /// <summary>The day a rep works a city in one half of a month (j = 0: days 4–15, j = 1: days 16 to three before the end).</summary>
    private DateOnly? RepCityDay(HcpTraits hcp, int monthNumber, int half)
    {
        var monthStart = SimDate.MonthStart(monthNumber);
        var days = SimDate.DaysInMonth(monthNumber);
        var (first, last) = half == 0 ? (4, 15) : (16, days - 3);
        var cityKey = StableHash(StableHash(StableHash(FnvOffset, hcp.State), "|"), hcp.City);
        // (Fault NoRepCityDay: a stream of the HCP's own, so each HCP gets an independent day.)
        var rng = _repCityDay
            ? new KeyedRandom(_seed, StreamKind.RepDay, hcp.PrimaryRep, monthNumber, (long)(cityKey & 0x7FFFFFFF) * 2 + half)
            : new KeyedRandom(_seed, StreamKind.RepDay, -1 - hcp.Index, monthNumber, half);
        Span<double> weights = stackalloc double[last - first + 1];
        var push = _quarterEndPush && SimulationModel.IsQuarterEndMonth(monthStart.Month) && half == 1 ? 1.5 : 1.0;
        for (var d = first; d <= last; d++)
        {
            var day = monthStart.AddDays(d - 1);
            weights[d - first] = IsHoliday(day) ? 0 : _businessWeekday[SimDate.IsoWeekday(day) - 1] * push;
        }
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }
        return total <= 0 ? null : monthStart.AddDays(first - 1 + rng.Choose(weights));
    }

    /// <summary>Draws up to <paramref name="count"/> distinct allowed days, weighted by weekday (and the quarter-end push).</summary>
    private List<DateOnly> PlaceDays(ref KeyedRandom rng, HcpTraits hcp, int channel, DateOnly monthStart, int days, int count, List<DateOnly> placed, double[] weekdayWeights, List<DateOnly> result)
    {
        result.Clear();
        if (count <= 0)
        {
            return result;
        }
        Span<double> weights = stackalloc double[days];
        var push = _quarterEndPush && SimulationModel.IsQuarterEndMonth(monthStart.Month) && SimulationModel.IsQuarterPushChannel(channel);
        for (var d = 0; d < days; d++)
        {
            var day = monthStart.AddDays(d);
            weights[d] = weekdayWeights[SimDate.IsoWeekday(day) - 1] * (push && d >= 14 ? 1.5 : 1.0);
        }
        while (result.Count < count)
        {
            var total = 0.0;
            foreach (var w in weights)
            {
                total += w;
            }
            if (total <= 0)
            {
                break;
            }
            var pick = rng.Choose(weights);
            var day = monthStart.AddDays(pick);
            weights[pick] = 0;
            if (Allowed(hcp, channel, day, days, placed))
            {
                placed.Add(day);
                result.Add(day);
            }
        }
        return result;
    }

    /// <summary>
    /// A day is allowed for a channel when it is not a holiday or personal blackout, is a preferred weekday
    /// (where the HCP has preferences), and keeps the minimum gap to the channel's other touches — including
    /// those of neighbouring months, which is why the gap also keeps a margin at each end of the month.
    /// </summary>
    private bool Allowed(HcpTraits hcp, int channel, DateOnly day, int daysInMonth, List<DateOnly> placed)
    {
        if (IsHoliday(day) || IsPersonalBlackout(hcp, day))
        {
            return false;
        }
        var rule = hcp.Limits[channel];
        if (rule.PreferredWeekdayMask != 0 && (rule.PreferredWeekdayMask & (1 << (SimDate.IsoWeekday(day) - 1))) == 0)
        {
            return false;
        }
        var gap = rule.MinDaysBetween;
        if (gap >= 2)
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

    private static bool IsPersonalBlackout(HcpTraits hcp, DateOnly day)
    {
        var key = day.Month * 100 + day.Day;
        foreach (var b in hcp.Blackouts)
        {
            if (b == key)
            {
                return true;
            }
        }
        return false;
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
        public List<Touch> Touches { get; } = new(16);
        public List<DateOnly> Placed { get; } = new(16);
        public List<DateOnly> Drawn { get; } = new(16);
        public List<DateOnly> Webinars { get; } = new(8);
        public List<(DateOnly Day, CampaignPlan Campaign)> Sends { get; } = new(8);
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
