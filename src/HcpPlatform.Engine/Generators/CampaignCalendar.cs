using System.Globalization;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Randomness;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;

namespace HcpPlatform.Engine.Generators;

public sealed class CampaignPlan
{
    public required int Index { get; init; }
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
    /// <summary>Days on which the campaign's email goes out (weekly, Tue–Thu, never on a holiday).</summary>
    public required DateOnly[] SendDays { get; init; }

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
/// with a 14-day minimum and 3 lanes that saturates near 78 a year (documented in the README).
/// </summary>
public sealed class CampaignCalendar
{
    public static readonly DateOnly Epoch = new(2000, 1, 3);

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

    private readonly SimulationModel _model;
    private readonly long _seed;
    private readonly double _cycleDays;
    private readonly List<CampaignPlan>[] _lanes;
    private readonly object _gate = new();

    public CampaignCalendar(SimulationModel model, long seed, int hcpCount)
    {
        _model = model;
        _seed = seed;
        var lanes = model.Config.MaxConcurrentCampaigns;
        var perYear = model.CampaignsPerYear(hcpCount);
        // A year's window also catches the campaigns already running at its start (one per lane).
        _cycleDays = Math.Max(model.Config.CampaignMinDays + 1, lanes * 365.0 / Math.Max(1, perYear - lanes));
        _lanes = Enumerable.Range(0, lanes).Select(_ => new List<CampaignPlan>()).ToArray();
    }

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
        var index = lane * 1_000_000 + k;
        var extra = Math.Max(1.0, _cycleDays - cfg.CampaignMinDays - 1.5);
        var days = (int)Math.Clamp(cfg.CampaignMinDays + Math.Round(rng.Exponential(extra)), cfg.CampaignMinDays, cfg.CampaignMaxDays);
        var end = start.AddDays(days - 1);
        var type = rng.Choose(TypeWeights);
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
        var product = rng.Pick(Specialties.Products);
        var budget = Math.Round(days * rng.Uniform(2_000, 6_000) * (type == 1 ? 2.5 : 1.0), 0);

        // Weekly sends on the campaign's chosen weekday (Tue–Thu), skipping holidays.
        var sendWeekday = (DayOfWeek)rng.NextInt(2, 4);
        var first = start.AddDays(((int)sendWeekday - (int)start.DayOfWeek + 7) % 7);
        var sends = new List<DateOnly>();
        for (var d = first; d <= end; d = d.AddDays(7))
        {
            if (!UsHolidays.IsBlackout(d))
            {
                sends.Add(d);
            }
        }

        return new CampaignPlan
        {
            Index = index,
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
        };
    }

    public static Campaign ToRow(CampaignPlan c, DateOnly asOf)
    {
        var channels = Enumerable.Range(0, Channel.Count).Where(i => c.HasChannel[i]).Select(i => $"\"{Channel.Names[i]}\"");
        return new Campaign
        {
            Id = c.Id,
            Name = c.Name,
            Description = $"{c.Type.Replace('_', ' ')} campaign for {c.Product} targeting {string.Join(", ", c.TargetSegments)}.",
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
