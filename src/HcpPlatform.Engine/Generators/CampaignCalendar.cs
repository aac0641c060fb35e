using System.Globalization;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

public sealed class CampaignPlan
{
    /// <summary><see cref="Lane"/> × <see cref="CampaignCalendar.LaneStride"/> + <see cref="LaneOrdinal"/>: the campaign's key in every draw and id.</summary>
    public required int Index { get; init; }
    /// <summary>The calendar lane the campaign runs in (0 to MaxConcurrentCampaigns − 1).</summary>
    public required int Lane { get; init; }
    /// <summary>The campaign's place in its lane, from the epoch (0: the lane's first).</summary>
    public required int LaneOrdinal { get; init; }
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Product { get; init; }
    public required DateOnly Start { get; init; }
    /// <summary>Last day, inclusive.</summary>
    public required DateOnly End { get; init; }
    public required bool[] HasChannel { get; init; }
    public required string[] TargetSegments { get; init; }
    public required double Budget { get; init; }
    /// <summary>
    /// Days on which the campaign's email goes out to every enrolled HCP: every CampaignSendIntervalDays from its send
    /// weekday (Tue–Thu) on or after its start; a send falling on a holiday, Christmas Eve or New Year's Eve goes out the
    /// next weekday that is none of these (within the campaign).
    /// </summary>
    public required DateOnly[] SendDays { get; init; }
    /// <summary>Local time of the campaign's sends (07:30–10:00 on the quarter hour); later batches follow a few minutes apart.</summary>
    public required double SendHour { get; init; }
    /// <summary>A Congress Program's specialty (whose congress it is timed to), else null.</summary>
    public string? Specialty { get; init; }
    /// <summary>A Congress Program's congress: its first day (the congress lies wholly within the campaign, a week or more after its start).</summary>
    public DateOnly? CongressStart { get; init; }

    /// <summary>Short id prefix used in email send-batch labels.</summary>
    public string BatchPrefix => _batchPrefix ??= Id.ToString("N")[..8];

    private string? _batchPrefix;

    public bool IsActive(DateOnly day) => day >= Start && day <= End;

    public string StatusOn(DateOnly asOf) => End < asOf ? "completed" : Start <= asOf ? "active" : "planned";
}

/// <summary>
/// Campaigns on the absolute calendar (000 Task 6). They run in <c>MaxConcurrentCampaigns</c> lanes laid
/// back to back from a fixed epoch, so at most that many run at once by construction and a campaign never
/// depends on the window being generated. Lane cycle length is set so about 30 + 10 per 1,000 HCPs run a year;
/// with a 14-day minimum and 3 lanes that saturates near 78 a year (documented in the README). A campaign whose
/// dates hold a specialty congress (starting a week or more after the campaign's start) is a Congress Program for it
/// with probability <see cref="CongressProgramChance"/> (one congress drawn among those it holds); otherwise its type is drawn among the other three.
/// </summary>
public sealed class CampaignCalendar
{
    public static readonly DateOnly Epoch = new(2000, 1, 3);

    /// <summary>A campaign's index is its lane times this plus its place in the lane.</summary>
    public const int LaneStride = 1_000_000;

    private static readonly string[] Types = ["email_nurture", "product_launch", "conference", "peer_engagement"];
    private static readonly double[] TypeWeights = [0.35, 0.20, 0.15, 0.30];
    private static readonly int[][] TypeChannels =
    [
        [Channel.Email, Channel.DigitalAd],
        [Channel.RepVisit, Channel.Email, Channel.DigitalAd, Channel.Phone],
        [Channel.Conference, Channel.RepVisit, Channel.Email],
        [Channel.Webinar, Channel.Email, Channel.Phone],
    ];
    private static readonly string[] TypeTitles = ["Nurture Series", "Launch Wave", "Congress Program", "Peer Exchange"];
    private const int ConferenceType = 2;
    /// <summary>A campaign whose dates hold a congress is a Congress Program for it with this probability.</summary>
    public const double CongressProgramChance = 0.9;
    private static readonly double[] OtherTypeWeights = [0.35, 0.20, 0, 0.30];

    private readonly SimulationModel _model;
    private readonly long _seed;
    private readonly double _cycleDays;
    private readonly List<CampaignPlan>[] _lanes;
    private readonly object _gate = new();
    private readonly bool _congressesUntimed;
    private readonly bool _sendsOnEves;

    public CampaignCalendar(SimulationModel model, long seed, int hcpCount)
    {
        _model = model;
        _seed = seed;
        _congressesUntimed = model.Has(EngineFault.CongressProgramsUntimed);
        _sendsOnEves = model.Has(EngineFault.SendsOnEves);
        var lanes = model.Config.MaxConcurrentCampaigns;
        var perYear = model.CampaignsPerYear(hcpCount);
        // A year's window also catches the campaigns already running at its start (one per lane).
        _cycleDays = Math.Max(model.Config.CampaignMinDays + 1, lanes * 365.0 / Math.Max(1, perYear - lanes));
        _lanes = Enumerable.Range(0, lanes).Select(_ => new List<CampaignPlan>()).ToArray();
    }

    /// <summary>
    /// The campaigns the rows of a window [<paramref name="windowStart"/>, <paramref name="to"/>] can name: those running in it
    /// and those that ended the day before it. A touch is planned on the HCP's local day and dated in UTC, and a US evening is
    /// the next UTC day, so a campaign's last-day touch can fall on the window's first UTC day.
    /// </summary>
    public IReadOnlyList<CampaignPlan> ForWindow(DateOnly windowStart, DateOnly to) => Overlapping(windowStart.AddDays(-1), to);

    /// <summary>Campaigns running on any day of [from, to], ordered by start then index.</summary>
    public IReadOnlyList<CampaignPlan> Overlapping(DateOnly from, DateOnly to)
    {
        var result = new List<CampaignPlan>();
        lock (_gate)
        {
            for (var lane = 0; lane < _lanes.Length; lane++)
            {
                ExtendLane(lane, to);
                foreach (var c in _lanes[lane])
                {
                    if (c.Start <= to && c.End >= from)
                    {
                        result.Add(c);
                    }
                }
            }
        }
        result.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Index.CompareTo(b.Index));
        return result;
    }

    private void ExtendLane(int lane, DateOnly until)
    {
        var list = _lanes[lane];
        while (list.Count == 0 || list[^1].Start <= until)
        {
            var k = list.Count;
            var start = k == 0 ? Epoch.AddDays(lane * (int)(_cycleDays / _lanes.Length)) : list[^1].End.AddDays(1 + Gap(lane, k));
            list.Add(Create(lane, k, start));
        }
    }

    private int Gap(int lane, int k) => new KeyedRandom(_seed, StreamKind.Campaign, lane, k, 1).NextInt(0, MaxGapDays);

    private const int MaxGapDays = 3;

    /// <summary>
    /// How many campaigns overlap a window of <paramref name="windowDays"/> days, in expectation and variance, as a
    /// renewal process per lane: a campaign lasts D = clamp(CampaignMinDays + round(Exp(extra)), min, max) days and the next
    /// one starts 0–3 days after it ends (cycle L = D + gap). A lane's campaigns overlapping a window are those starting in
    /// the W − 1 + D days before its end: (W − 1 + E[D]) / E[L] of them, with variance about W·Var[L] / E[L]³ (plus ¼ for
    /// the one straddling the start). Lanes are independent.
    /// </summary>
    public static (double Mean, double Variance) ExpectedOverlapping(SimulationModel model, int hcpCount, int windowDays)
    {
        var cfg = model.Config;
        var lanes = cfg.MaxConcurrentCampaigns;
        var cycleDays = Math.Max(cfg.CampaignMinDays + 1, lanes * 365.0 / Math.Max(1, model.CampaignsPerYear(hcpCount) - lanes));
        var extra = Math.Max(1.0, cycleDays - cfg.CampaignMinDays - 1.5);
        double meanD = 0, meanD2 = 0;
        for (var k = 0; k <= cfg.CampaignMaxDays - cfg.CampaignMinDays; k++)
        {
            // P(round(X) = k) for X ~ Exp(extra); the last duration also takes the tail clamped onto it.
            var p = k == cfg.CampaignMaxDays - cfg.CampaignMinDays ? Math.Exp(-(k - 0.5) / extra)
                : k == 0 ? 1 - Math.Exp(-0.5 / extra) : Math.Exp(-(k - 0.5) / extra) - Math.Exp(-(k + 0.5) / extra);
            var d = cfg.CampaignMinDays + k;
            meanD += p * d;
            meanD2 += p * d * d;
        }
        var meanGap = MaxGapDays / 2.0;
        var varGap = ((MaxGapDays + 1) * (MaxGapDays + 1) - 1) / 12.0;
        var meanL = meanD + meanGap;
        var varL = meanD2 - meanD * meanD + varGap;
        return (lanes * (windowDays - 1 + meanD) / meanL, lanes * (windowDays * varL / (meanL * meanL * meanL) + 0.25));
    }

    private CampaignPlan Create(int lane, int k, DateOnly start)
    {
        var cfg = _model.Config;
        var rng = new KeyedRandom(_seed, StreamKind.Campaign, lane, k);
        var index = lane * LaneStride + k;
        var extra = Math.Max(1.0, _cycleDays - cfg.CampaignMinDays - 1.5);
        var days = (int)Math.Clamp(cfg.CampaignMinDays + Math.Round(rng.Exponential(extra)), cfg.CampaignMinDays, cfg.CampaignMaxDays);
        var end = start.AddDays(days - 1);
        // A Congress Program is timed to a congress it holds; other campaigns draw among the other types.
        List<(string Specialty, DateOnly Start)> congresses = _congressesUntimed ? [] : CongressesWithin(start, end);
        int type;
        (string Specialty, DateOnly Start)? congress = null;
        if (congresses.Count > 0 && rng.Chance(CongressProgramChance))
        {
            type = ConferenceType;
            congress = congresses[rng.NextInt(congresses.Count)];
        }
        else if (_congressesUntimed)
        {
            type = rng.Choose(TypeWeights);
        }
        else
        {
            type = rng.Choose(OtherTypeWeights);
        }
        var hasChannel = new bool[Channel.Count];
        foreach (var c in TypeChannels[type])
        {
            hasChannel[c] = true;
        }
        var segmentCount = rng.NextInt(1, 3);
        var segments = new SortedSet<string>(StringComparer.Ordinal);
        while (segments.Count < segmentCount)
        {
            segments.Add(_model.Segments[rng.NextInt(_model.Segments.Length)]);
        }
        if (congress is not null)
        {
            // A congress program invites the specialty's HCPs whatever their segment.
            segments = new SortedSet<string>(_model.Segments, StringComparer.Ordinal);
        }
        var product = rng.Pick(Specialties.Products);
        if (congress is not null)
        {
            // A congress program promotes the specialty's brand: a campaign enrols only its brand's HCPs.
            product = Specialties.ProductFor(congress.Value.Specialty).Name;
        }
        var budget = Math.Round(days * rng.Uniform(2_000, 6_000) * (type == 1 ? 2.5 : 1.0), 0);

        var sendWeekday = (DayOfWeek)rng.NextInt(2, 4);
        var sendHour = 7.5 + 0.25 * rng.NextInt(0, 10);
        var first = start.AddDays(((int)sendWeekday - (int)start.DayOfWeek + 7) % 7);
        var sends = new List<DateOnly>();
        for (var d = first; d <= end; d = d.AddDays(cfg.CampaignSendIntervalDays))
        {
            var send = d;
            while (send <= end && !IsSendDay(send))
            {
                send = send.AddDays(1);
            }
            if (send <= end && (sends.Count == 0 || send > sends[^1]))
            {
                sends.Add(send);
            }
        }

        return new CampaignPlan
        {
            Index = index,
            Lane = lane,
            LaneOrdinal = k,
            Id = DeterministicId.Create(_seed, StreamKind.Campaign, index),
            Name = $"{product} {TypeTitles[type]} {start.ToString("MMM yyyy", CultureInfo.InvariantCulture)} #{k + 1}",
            Type = Types[type],
            Product = product,
            Start = start,
            End = end,
            HasChannel = hasChannel,
            TargetSegments = [.. segments],
            Budget = budget,
            SendDays = [.. sends],
            SendHour = sendHour,
            Specialty = congress?.Specialty,
            CongressStart = congress?.Start,
        };
    }

    /// <summary>A day campaign email may go out: a weekday, not a holiday, not Christmas Eve or New Year's Eve.</summary>
    public bool IsSendDay(DateOnly day) =>
        !SimDate.IsWeekend(day) && !UsHolidays.IsBlackout(day) && (_sendsOnEves || !IsEve(day));

    /// <summary>Christmas Eve and New Year's Eve: no campaign sends.</summary>
    public static bool IsEve(DateOnly day) => day.Month == 12 && day.Day is 24 or 31;

    /// <summary>The specialty congresses (of the configured specialties) lying wholly within [start + 7 days, end], in specialty order.</summary>
    private List<(string Specialty, DateOnly Start)> CongressesWithin(DateOnly start, DateOnly end)
    {
        var found = new List<(string, DateOnly)>();
        foreach (var specialty in _model.Specialties.Names.Order(StringComparer.Ordinal))
        {
            for (var year = start.Year; year <= end.Year; year++)
            {
                var first = Specialties.CongressStart(specialty, year);
                var last = first.AddDays(Specialties.CongressFor(specialty).Days - 1);
                if (first >= start.AddDays(7) && last <= end)
                {
                    found.Add((specialty, first));
                }
            }
        }
        return found;
    }

    public static Campaign ToRow(CampaignPlan c, DateOnly asOf)
    {
        var channels = Enumerable.Range(0, Channel.Count).Where(i => c.HasChannel[i]).Select(i => $"\"{Channel.Names[i]}\"");
        return new Campaign
        {
            Id = c.Id,
            Name = c.Name,
            Description = c.Specialty is { } specialty
                ? $"{c.Type.Replace('_', ' ')} campaign for {c.Product} at {Specialties.CongressFor(specialty).Name} {c.CongressStart!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, inviting {specialty} HCPs."
                : $"{c.Type.Replace('_', ' ')} campaign for {c.Product} targeting {string.Join(", ", c.TargetSegments)}.",
            CampaignType = c.Type,
            Channels = "[" + string.Join(", ", channels) + "]",
            TargetSegments = "[" + string.Join(", ", c.TargetSegments.Select(s => $"\"{s}\"")) + "]",
            StartDate = SimDate.StartUtc(c.Start),
            EndDate = SimDate.StartUtc(c.End),
            Budget = c.Budget,
            Status = c.StatusOn(asOf),
        };
    }
}
