using System.Globalization;
using System.Text.Json;
using HcpPlatform.Engine.Calendar;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Model;
using HcpPlatform.Engine.Reference;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Engine.Tests.Statistics;

/// <summary>The verdict of one check on one dataset, with what was measured.</summary>
internal sealed record StatCheck(string Name, bool Passed, string Detail)
{
    public override string ToString() => $"{Name}: {(Passed ? "pass" : "FAIL")} — {Detail}";
}

/// <summary>
/// The engine's statistical tests: every documented behaviour of the generated data as a check whose threshold follows
/// from the sample size at the false-alarm rate <see cref="Stats.FalseAlarmRate"/> (1e-4 per check; a check over several
/// cells splits it between them). Expectations come from the ground truth and the configuration, never from the
/// generators, so correct output passes on any seed and scale while a generator that breaks a behaviour fails the check
/// that states it (the fault-injection tests prove each one). Exact rules (no touch on a holiday, invitations exactly
/// the lead time before the event) have no threshold at all.
/// <para>Where an expectation is the configured target a mechanism lands near rather than a probability the engine
/// draws with, the check adds a stated relative margin (<see cref="Margins"/>) to the sampling bound.</para>
/// </summary>
internal sealed class StatisticalChecks
{
    /// <summary>
    /// Relative margins of the expectations that are approximate: the configured target a mechanism lands near (through
    /// per-HCP caps, minimum gaps, holidays and blackout days, clamped affinities) rather than a probability the engine draws
    /// with. Each is about twice the mechanism's departure from its target measured over 200 seeds pooled (400 HCPs × 12
    /// months each): stimuli per HCP −0.04%, outcomes per stimulus (at a year's channel mix, settled stimuli) +2.0%, channel shares up to −1.9% (rep visits, capped at
    /// two city days a month) and +2.1% (conference), volume by affinity and tier up to 1.0%, quarter-end share −0.15%,
    /// weekend share of ads +2.9% (the one-day gap). A change to these mechanisms recalibrates them.
    /// </summary>
    public static class Margins
    {
        public const double StimuliVolume = 0.01;
        public const double OutcomesPerStimulus = 0.04;
        public const double ChannelShare = 0.05;
        public const double TouchVolume = 0.03;
        public const double QuarterEndShare = 0.01;
        public const double AdWeekendShare = 0.06;
        /// <summary>The engine's one-minute minimum latency moves at most the first 1/720 day of each latency (≤ 0.3% of email opens).</summary>
        public const double LatencyKsFloor = 0.005;
        /// <summary>Business touches on days 1–3 and 29–31 against those days' share of business days: send weekdays and route-day timetables are not uniform over the month.</summary>
        public const double MonthEdgeShare = 0.15;
        /// <summary>Campaign sends an enrolled HCP may miss: contact rules (gaps, monthly maxima), personal blackout days, lapsed addresses.</summary>
        public const double CampaignSendMissed = 0.25;
    }

    private static readonly string[] BusinessChannels = ["email", "rep_visit", "phone"];

    private readonly GeneratedData _d;
    private readonly TruthTables _t;
    private readonly Dictionary<Guid, int> _index;
    private readonly List<StimulusEvent>[] _stimuliByHcp;
    private readonly DateTime _end;

    public StatisticalChecks(GeneratedData data)
    {
        _d = data;
        _t = new TruthTables(data.Truth);
        _index = data.Population.Traits.ToDictionary(t => t.Id, t => t.Index);
        _stimuliByHcp = data.Population.Traits.Select(_ => new List<StimulusEvent>()).ToArray();
        foreach (var s in data.Stimuli)
        {
            _stimuliByHcp[_index[s.HcpId]].Add(s);
        }
        foreach (var list in _stimuliByHcp)
        {
            list.Sort((a, b) => a.EventDate != b.EventDate ? a.EventDate.CompareTo(b.EventDate) : Channel.IndexOf(a.Channel).CompareTo(Channel.IndexOf(b.Channel)));
        }
        _end = SimDate.StartUtc(data.AsOf.AddDays(1));
    }

    private HcpTraits[] Traits => _d.Population.Traits;
    private HcpProfile[] Profiles => _d.Population.Profiles;
    private int Hcps => Traits.Length;

    /// <summary>The names of <see cref="All"/>, in its order.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "specialty_mix", "tier_given_specialty", "segment_given_tier", "state_mix", "content_mix", "credential_given_segment",
        "stimuli_volume", "outcomes_per_stimulus", "channel_share", "territory_rows", "rep_count", "campaign_count",
        "response_rates", "response_calibration", "visit_metadata_signal", "latency_distribution", "latency_by_hcp_factor", "touch_volume_model",
        "rx_seasonality", "rx_engagement_lift", "rx_lift_by_driver", "rx_carryover", "rx_lift_by_segment", "rx_distribution",
        "rx_writers", "rx_patient_volume", "rx_months_complete", "product_consistency",
        "no_holiday_touches", "weekday_weighting", "quarter_end_push", "rep_visits_cluster", "campaign_email_batches", "webinar_lead", "conference_on_congress",
        "local_working_hours", "response_hours", "no_future_events", "no_month_edge_holes", "no_see_not_visited", "overlay_reps_active",
        "rep_one_state_a_day", "campaign_send_reach", "congress_programs_timed", "no_campaign_email_on_eves", "bounced_addresses_suppressed",
    ];

    /// <summary>Every check, in a fixed order.</summary>
    public IReadOnlyList<StatCheck> All() =>
    [
        SpecialtyMix(), TierGivenSpecialty(), SegmentGivenTier(), StateMix(), ContentMix(), CredentialGivenSegment(),
        StimuliVolume(), OutcomesPerStimulus(), ChannelShare(), TerritoryRows(), RepCount(), CampaignCount(),
        ResponseRates(), ResponseCalibration(), VisitMetadataSignal(), LatencyDistribution(), LatencyByHcpFactor(), TouchVolumeModel(),
        RxSeasonality(), RxEngagementLift(), RxLiftByDriver(), RxCarryover(), RxLiftBySegment(), RxDistribution(),
        RxWriters(), RxPatientVolume(), RxMonthsComplete(), ProductConsistency(),
        NoHolidayTouches(), WeekdayWeighting(), QuarterEndPush(), RepVisitsCluster(), CampaignEmailBatches(), WebinarLead(), ConferenceOnCongress(),
        LocalWorkingHours(), ResponseHours(), NoFutureEvents(), NoMonthEdgeHoles(), NoSeeNotVisited(), OverlayRepsActive(),
        RepOneStateADay(), CampaignSendReach(), CongressProgramsTimed(), NoCampaignEmailOnEves(), BouncedAddressesSuppressed(),
    ];

    // ------------------------------------------------------------------ judging

    /// <summary>Passes when every testable cell is within z·√variance + margin·|expected|, z split (Bonferroni) over the testable cells.</summary>
    public static StatCheck Judge(string name, IReadOnlyList<Cell> cells)
    {
        var verdict = Stats.JudgeCells(cells);
        var small = verdict.TooSmall.Count > 0 ? $"; too small to test: {string.Join(", ", verdict.TooSmall.Select(c => c.Label))}" : "";
        if (verdict.Tested.Count == 0)
        {
            return new StatCheck(name, true, $"informational: no cell large enough to test{small}");
        }
        var failed = verdict.Tested.Where(x => !(x.Ratio <= 1)).ToList();
        var shown = (failed.Count > 0 ? failed : verdict.Tested.Take(2)).Take(4)
            .Select(x => F($"{x.Cell.Label}: {x.Cell.Observed:0.####} vs {x.Cell.Expected:0.####} ({x.Ratio:0.00} of allowance)"));
        return new StatCheck(name, verdict.Passed, F($"{verdict.Tested.Count} cells, worst {verdict.WorstRatio:0.00} of allowance; ") + string.Join("; ", shown) + small);
    }

    private static StatCheck Exact(string name, int offenders, string rule, IEnumerable<string> examples) =>
        new(name, offenders == 0, offenders == 0 ? $"0 offenders ({rule})" : $"{offenders} offenders ({rule}), e.g. {string.Join("; ", examples.Take(3))}");

    private static StatCheck Categorical(string name, IEnumerable<(string Group, IReadOnlyDictionary<string, double> Expected, IReadOnlyDictionary<string, long> Observed)> groups)
    {
        var list = groups.Where(g => g.Observed.Values.Sum() > 0).ToList();
        var fits = list.Select(g => (g.Group, Fit: Stats.ChiSquareGoodnessOfFit(g.Expected, g.Observed))).ToList();
        var alpha = Stats.FalseAlarmRate / Math.Max(1, fits.Count);
        var worst = fits.MinBy(x => x.Fit.P);
        return new StatCheck(name, fits.Count > 0 && fits.All(x => x.Fit.Passes(alpha)),
            F($"chi-square p ≥ {alpha:0.###e0} in each of {fits.Count} groups; lowest p = {worst.Fit?.P:0.####e0} ({worst.Group}, TVComplement {worst.Fit?.TvComplement:0.####}, n = {worst.Fit?.N})"));
    }

    private static Dictionary<string, long> Count<T>(IEnumerable<T> rows, Func<T, string> key) =>
        rows.GroupBy(key).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

    private static Dictionary<string, double> Shares(WeightTable table) =>
        table.Names.ToDictionary(n => n, table.ShareOf, StringComparer.Ordinal);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ population (exact multinomial draws)

    private IEnumerable<HcpProfile> Drawn => Profiles.Where(p => !p.IsFixture);

    public StatCheck SpecialtyMix() => Categorical("specialty_mix", [("all", Shares(_d.Model.Specialties), Count(Drawn, p => p.Specialty))]);

    public StatCheck TierGivenSpecialty() => Categorical("tier_given_specialty",
        Drawn.GroupBy(p => p.Specialty).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, double>)Shares(_d.Model.TierTableFor(g.Key)), (IReadOnlyDictionary<string, long>)Count(g, p => p.Tier))));

    public StatCheck SegmentGivenTier() => Categorical("segment_given_tier",
        Drawn.GroupBy(p => p.Tier).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, double>)Shares(_d.Model.SegmentByTier[SimulationModel.TierIndex(g.Key)]), (IReadOnlyDictionary<string, long>)Count(g, p => p.Segment))));

    public StatCheck StateMix() => Categorical("state_mix",
        [("all", Geography.States.ToDictionary(s => s.Code, s => s.PopulationMillions, StringComparer.Ordinal), Count(Drawn, p => p.State))]);

    public StatCheck ContentMix() => Categorical("content_mix", [("all", _t.ContentShare, Count(_d.Stimuli, s => s.ContentCategory ?? "(none)"))]);

    /// <summary>Credentials within each segment against the persona generator's weights (no NP or PA academic leaders).</summary>
    public StatCheck CredentialGivenSegment()
    {
        string[] credentials = ["MD", "DO", "NP", "PA"];
        return Categorical("credential_given_segment", Drawn.GroupBy(p => p.Segment).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, double>)credentials.Select((c, i) => (c, PersonaGenerator.CredentialWeightsFor(g.Key)[i]))
                .ToDictionary(x => x.c, x => x.Item2, StringComparer.Ordinal), (IReadOnlyDictionary<string, long>)Count(g, p => p.Credential))));
    }

    // ------------------------------------------------------------------ volumes

    /// <summary>
    /// Per channel, the mean over the window's days of its month factor (the quarter-end push); for conference touches,
    /// the congresses starting in the window per year of it (they come only at each specialty's congress).
    /// </summary>
    private double WindowFactor(string channel)
    {
        if (channel == "conference")
        {
            return _d.Model.Specialties.Names.Sum(s => _d.Model.Specialties.ShareOf(s) * Specialties.CongressesIn(s, _d.WindowStart, _d.AsOf)) * 365.25 / _d.WindowDays;
        }
        var sum = 0.0;
        for (var day = _d.WindowStart; day <= _d.AsOf; day = day.AddDays(1))
        {
            sum += _t.MonthFactor(channel, day.Month);
        }
        return sum / _d.WindowDays;
    }

    private Dictionary<string, double> WindowChannelShares()
    {
        var weighted = Channel.Names.ToDictionary(c => c, c => _t.ChannelShare[c] * WindowFactor(c), StringComparer.Ordinal);
        var total = weighted.Values.Sum();
        return weighted.ToDictionary(p => p.Key, p => p.Value / total, StringComparer.Ordinal);
    }

    /// <summary>Touches per HCP against stimuli_per_hcp_year over the window (HCPs are independent, so the mean's variance is the sample variance / n).</summary>
    public StatCheck StimuliVolume()
    {
        var perHcp = _stimuliByHcp.Select(l => (double)l.Count).ToArray();
        var mean = perHcp.Average();
        var variance = perHcp.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, Hcps - 1) / Hcps;
        var expected = _t.StimuliPerHcpYear * Channel.Names.Sum(c => _t.ChannelShare[c] * WindowFactor(c)) * _d.WindowDays / 365.25;
        return Judge("stimuli_volume", [new Cell("touches per HCP over the window", mean, expected, variance, Margins.StimuliVolume, _d.Stimuli.Count)]);
    }

    /// <summary>
    /// Outcomes per stimulus against the configured OutcomesPerStimulus (seeds/001 says 20%; README, Realism): stimuli at least the longest attribution window before the end (whose
    /// outcomes are all in the data), each channel's rate weighted by its configured share of a year (a short window has
    /// another mix). Variance: the weighted ratio's linearisation over HCPs.
    /// </summary>
    public StatCheck OutcomesPerStimulus()
    {
        var target = _d.Model.Config.OutcomesPerStimulus;
        var longest = _t.Window.Values.Max();
        var outcomes = _d.Outcomes.GroupBy(o => o.StimulusId!.Value).ToDictionary(g => g.Key, g => g.Count());
        var n = new double[Hcps, Channel.Count];
        var o = new double[Hcps, Channel.Count];
        for (var h = 0; h < Hcps; h++)
        {
            foreach (var s in _stimuliByHcp[h].Where(s => s.EventDate.AddDays(longest) <= _end))
            {
                var c = Channel.IndexOf(s.Channel);
                n[h, c]++;
                o[h, c] += outcomes.GetValueOrDefault(s.Id);
            }
        }
        var share = Channel.Names.Select(c => _t.ChannelShare[c]).ToArray();
        var totalN = Enumerable.Range(0, Channel.Count).Select(c => Enumerable.Range(0, Hcps).Sum(h => n[h, c])).ToArray();
        var totalO = Enumerable.Range(0, Channel.Count).Select(c => Enumerable.Range(0, Hcps).Sum(h => o[h, c])).ToArray();
        var present = Enumerable.Range(0, Channel.Count).Where(c => totalN[c] > 0).ToList();
        var weight = present.Sum(c => share[c]);
        var ratio = present.Sum(c => share[c] * totalO[c] / totalN[c]) / weight;
        var variance = Enumerable.Range(0, Hcps).Sum(h =>
        {
            var u = present.Sum(c => share[c] * (o[h, c] - totalO[c] / totalN[c] * n[h, c]) / totalN[c]);
            return u * u;
        }) / (weight * weight);
        return Judge("outcomes_per_stimulus", [new Cell("outcomes / stimuli, channels at their yearly mix", ratio, target, variance, Margins.OutcomesPerStimulus, totalN.Sum() * target)]);
    }

    /// <summary>Every channel present in its configured share of touches (weighted by the window's quarter-end months).</summary>
    public StatCheck ChannelShare()
    {
        var expected = WindowChannelShares();
        var cells = new List<Cell>();
        foreach (var channel in Channel.Names)
        {
            var sums = new ShareSums();
            foreach (var list in _stimuliByHcp)
            {
                sums = sums.Add(list.Count(s => s.Channel == channel), list.Count);
            }
            var share = expected[channel];
            cells.Add(new Cell(channel, sums.Share, share, sums.VarianceAt(share), Margins.ChannelShare, share * sums.Total));
        }
        return Judge("channel_share", cells);
    }

    public StatCheck TerritoryRows()
    {
        var rows = Traits.Sum(t => _d.Population.TerritoryRows(t).Count());
        var share = _d.Model.Config.OverlayShare;
        return Judge("territory_rows", [new Cell("territory rows", rows, Hcps * (1 + share), Hcps * share * (1 - share), 0, Hcps * share)]);
    }

    /// <summary>Per region, max(1, round(its HCPs / HcpsPerRep)) primary reps splitting its HCPs evenly, none outside it (hcps_per_rep).</summary>
    public StatCheck RepCount()
    {
        var offenders = new List<string>();
        var expectedTotal = 0;
        foreach (var region in Traits.GroupBy(t => t.Region).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var n = region.Count();
            var expected = Math.Max(1, (int)Math.Floor(n / _d.Model.Config.HcpsPerRep + 0.5));
            expectedTotal += expected;
            var loads = region.GroupBy(t => t.PrimaryRep).Select(g => g.Count()).ToList();
            if (loads.Count != expected || loads.Any(l => l < n / expected || l > (n + expected - 1) / expected))
            {
                offenders.Add(F($"{region.Key}: {loads.Count} reps for {n} HCPs (expected {expected}, loads {string.Join("/", loads)})"));
            }
        }
        if (_d.Population.Reps.Count != expectedTotal || Traits.Any(t => _d.Population.Reps[t.PrimaryRep].Region != t.Region))
        {
            offenders.Add(F($"{_d.Population.Reps.Count} reps in all, expected {expectedTotal}, each within its region"));
        }
        return Exact("rep_count", offenders.Count, "per region max(1, round(HCPs / hcps_per_rep)) primary reps, an even split", offenders);
    }

    public StatCheck CampaignCount()
    {
        var (mean, variance) = CampaignCalendar.ExpectedOverlapping(_d.Model, Hcps, _d.WindowDays + 1); // the window and its day before (ForWindow)
        var concurrent = 0;
        for (var day = _d.WindowStart; day <= _d.AsOf; day = day.AddDays(1))
        {
            var d = day;
            concurrent = Math.Max(concurrent, _d.Campaigns.Count(c => c.IsActive(d)));
        }
        var count = Judge("campaign_count", [new Cell("campaigns overlapping the window", _d.Campaigns.Count, mean, variance + 1, 0, mean)]);
        return concurrent <= _d.Model.Config.MaxConcurrentCampaigns ? count
            : new StatCheck(count.Name, false, F($"{concurrent} campaigns at once; {count.Detail}"));
    }

    // ------------------------------------------------------------------ responses (exact: each stimulus's true probability)

    /// <summary>
    /// One possible outcome of one eligible stimulus: its true probability and whether it happened, with what the probability
    /// depends on (for the fit). An email click can only follow the open of the same email (<see cref="OpenP"/>: that open's
    /// probability), so the two are correlated.
    /// </summary>
    internal readonly record struct Chance(int Hcp, string Channel, string Stimulus, string Outcome, double P, bool Happened, int Ordinal, bool Match, int AffinityTercile,
        double Affinity, bool Delivered, string? CallType, string? Reaction, double? OpenP = null, bool? Opened = null);

    private List<Chance>? _chances;

    /// <summary>
    /// Every delivered or undelivered stimulus of a whole calendar month of the window whose attribution windows end within
    /// the data, with each possible outcome's probability recomputed from the ground truth: the logistic of logit(base rate) +
    /// ln(tier odds) + affinity log-odds × (affinity − 0.5) − fatigue × touches earlier that month + ln(content match odds) +
    /// ln(scale), and after a rep visit ln(call type odds) for a sample request and ln(reaction odds) for a meeting (email
    /// click: P(open) × P(click | open)); 0 when not delivered.
    /// </summary>
    internal List<Chance> Chances()
    {
        if (_chances is not null)
        {
            return _chances;
        }
        var happened = _d.Outcomes.Select(o => (o.StimulusId!.Value, o.OutcomeType)).ToHashSet();
        var ratesByStimulus = _t.Rates.GroupBy(r => r.Stimulus).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var tercile = AffinityTerciles();
        var list = new List<Chance>();
        var firstMonth = _d.WindowStart.Day == 1 ? _d.WindowStart : new DateOnly(_d.WindowStart.Year, _d.WindowStart.Month, 1).AddMonths(1);
        for (var h = 0; h < Hcps; h++)
        {
            var hcp = Traits[h];
            var preferred = _d.Model.Content.Names[hcp.PreferredContent];
            var tierLogOdds = Math.Log(_t.TierOdds[SimulationConfig.Tiers[hcp.Tier]]);
            var ordinal = 0;
            var month = -1;
            foreach (var s in _stimuliByHcp[h])
            {
                var day = DateOnly.FromDateTime(s.EventDate);
                var m = SimDate.MonthNumber(day);
                ordinal = m == month ? ordinal + 1 : 0;
                month = m;
                if (day < firstMonth || !ratesByStimulus.TryGetValue(s.StimulusType, out var rates))
                {
                    continue;
                }
                var c = Channel.IndexOf(s.Channel);
                var match = s.ContentCategory == preferred;
                var shift = tierLogOdds + _t.AffinityLogOdds * (hcp.Affinity[c] - 0.5) - _t.FatigueLogOdds * ordinal
                    + (match ? Math.Log(_t.ContentMatchOdds) : 0) + Math.Log(_t.ScaleOdds);
                var delivered = s.DeliveryStatus == "delivered";
                var (callType, reaction) = s.Channel == "rep_visit" ? VisitDetails(s) : (null, null);
                foreach (var (_, outcome, baseRate) in rates)
                {
                    if (s.EventDate.AddDays(_t.Window[outcome]) > _end)
                    {
                        continue;
                    }
                    var x = TruthTables.Logit(baseRate) + shift
                        + (outcome == "sample_request" && callType is not null ? Math.Log(_t.CallTypeOdds[callType]) : 0)
                        + (outcome == "meeting_scheduled" && reaction is not null ? Math.Log(_t.ReactionOdds[reaction]) : 0);
                    var p = delivered ? TruthTables.Logistic(x) : 0;
                    var opened = happened.Contains((s.Id, outcome));
                    list.Add(new Chance(h, s.Channel, s.StimulusType, outcome, p, opened, ordinal, match, tercile[c][h], hcp.Affinity[c], delivered,
                        s.Channel == "rep_visit" ? callType : null, reaction));
                    if (outcome == "email_open" && ratesByStimulus.TryGetValue("email_open", out var chained) && s.EventDate.AddDays(_t.Window["email_click"]) <= _end)
                    {
                        foreach (var (_, then, rate) in chained)
                        {
                            var click = delivered ? TruthTables.Logistic(TruthTables.Logit(rate) + shift) : 0;
                            list.Add(new Chance(h, s.Channel, "email_open", then, p * click, happened.Contains((s.Id, then)), ordinal, match, tercile[c][h],
                                hcp.Affinity[c], delivered, null, null, p, opened));
                        }
                    }
                }
            }
        }
        return _chances = list;
    }

    /// <summary>A rep visit's call type and the HCP's reaction to its key message (none for a "Sample Only" call).</summary>
    private static (string? CallType, string? Reaction) VisitDetails(StimulusEvent s)
    {
        var m = JsonDocument.Parse(s.Metadata!).RootElement;
        var messages = m.GetProperty("key_messages");
        return (m.GetProperty("call_type").GetString(), messages.GetArrayLength() > 0 ? messages[0].GetProperty("reaction").GetString() : null);
    }

    /// <summary>Per channel, each HCP's affinity tercile (0–2) among the population.</summary>
    private int[][] AffinityTerciles() => Enumerable.Range(0, Channel.Count).Select(c =>
    {
        var sorted = Traits.Select(t => t.Affinity[c]).Order().ToArray();
        var (low, high) = (sorted[sorted.Length / 3], sorted[2 * sorted.Length / 3]);
        return Traits.Select(t => t.Affinity[c] < low ? 0 : t.Affinity[c] < high ? 1 : 2).ToArray();
    }).ToArray();

    /// <summary>Observed against Σp with variance Σp(1 − p); where a cell holds both an email's open and its click, plus their covariance 2·P(click)·(1 − P(open)).</summary>
    private static Cell ChanceCell(string label, IEnumerable<Chance> chances, bool opensAndClicksTogether = false)
    {
        double observed = 0, expected = 0, variance = 0;
        foreach (var x in chances)
        {
            observed += x.Happened ? 1 : 0;
            expected += x.P;
            variance += x.P * (1 - x.P) + (opensAndClicksTogether && x.OpenP is { } open ? 2 * x.P * (1 - open) : 0);
        }
        return new Cell(label, observed, expected, variance, 0, expected);
    }

    /// <summary>Responses per channel × outcome × tier against the sum of the true probabilities (the tier odds' test).</summary>
    public StatCheck ResponseRates() => Judge("response_rates",
        Chances().GroupBy(x => (x.Channel, x.Outcome, Tier: Traits[x.Hcp].Tier)).OrderBy(g => g.Key)
            .Select(g => ChanceCell($"{g.Key.Channel}/{g.Key.Outcome}/{SimulationConfig.Tiers[g.Key.Tier]}", g)).ToList());

    /// <summary>Responses by the HCP's channel-affinity tercile, by how many touches came earlier that month, and by content match: each modifier's test.</summary>
    public StatCheck ResponseCalibration()
    {
        var chances = Chances();
        static string Fatigue(int ordinal) => ordinal switch { 0 => "first touch", <= 2 => "touches 2-3", <= 5 => "touches 4-6", _ => "touches 7+" };
        var cells = chances.GroupBy(x => x.AffinityTercile).OrderBy(g => g.Key).Select(g => ChanceCell($"affinity tercile {g.Key + 1}", g, true))
            .Concat(chances.GroupBy(x => Fatigue(x.Ordinal)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => ChanceCell(g.Key, g, true)))
            .Concat(chances.GroupBy(x => x.Match).OrderBy(g => g.Key).Select(g => ChanceCell(g.Key ? "content match" : "no content match", g, true)))
            .ToList();
        return Judge("response_calibration", cells);
    }

    /// <summary>
    /// A rep visit's metadata carries the signal it claims: sample requests by the call's type and meetings by the HCP's
    /// reaction to the key message, each against the sum of its true probabilities.
    /// </summary>
    public StatCheck VisitMetadataSignal()
    {
        var visits = Chances().Where(x => x.Channel == "rep_visit").ToList();
        var cells = visits.Where(x => x.Outcome == "sample_request").GroupBy(x => x.CallType ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ChanceCell($"sample requests after {g.Key}", g))
            .Concat(visits.Where(x => x.Outcome == "meeting_scheduled").GroupBy(x => x.Reaction).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => ChanceCell(g.Key is null ? "meetings after a Sample Only call (no key message)" : $"meetings after a {g.Key} reaction", g)))
            .ToList();
        return Judge("visit_metadata_signal", cells);
    }

    // ------------------------------------------------------------------ latencies (exact: probability integral transform)

    private List<(string Type, double U, int Hcp)>? _pits;

    /// <summary>
    /// Each observed latency mapped through its own true CDF (exponential with mean latency_mean_days × the HCP's latency
    /// factor, truncated to the attribution window; a click after its open with the remaining mean): uniform under the model.
    /// </summary>
    private List<(string Type, double U, int Hcp)> Pits()
    {
        if (_pits is not null)
        {
            return _pits;
        }
        var stimuli = _d.Stimuli.ToDictionary(s => s.Id);
        var openAt = _d.Outcomes.Where(o => o.OutcomeType == "email_open").ToDictionary(o => o.StimulusId!.Value, o => o.EventDate);
        var list = new List<(string, double, int)>();
        foreach (var o in _d.Outcomes)
        {
            if (!_t.LatencyMean.TryGetValue(o.OutcomeType, out var mean) || !stimuli.TryGetValue(o.StimulusId!.Value, out var s))
            {
                continue;
            }
            double window = _t.Window[o.OutcomeType];
            if (s.EventDate.AddDays(window) > _end)
            {
                continue;
            }
            var h = _index[o.HcpId];
            var f = Traits[h].LatencyFactor;
            // Latencies run in the HCP's activity time (response_rhythm): waking or business hours of its local days.
            var zone = Traits[h].TimeZone;
            var rhythm = ResponseRhythm.For(o.OutcomeType);
            double Activity(DateTime to) => rhythm is null ? (to - s.EventDate).TotalDays : rhythm.Activity(zone, s.EventDate, to);
            var x = Activity(o.EventDate);
            window = Activity(s.EventDate.AddDays(window));
            double u;
            if (o.OutcomeType == "email_click")
            {
                var opened = Activity(openAt[s.Id]);
                var m = Math.Max(0.01, (mean - _t.LatencyMean["email_open"]) * f);
                u = (1 - Math.Exp(-(x - opened) / m)) / (1 - Math.Exp(-(window - opened) / m));
            }
            else
            {
                u = (1 - Math.Exp(-x / (mean * f))) / (1 - Math.Exp(-window / (mean * f)));
            }
            list.Add((o.OutcomeType, u, h));
        }
        return _pits = list;
    }

    /// <summary>KS distance of each outcome type's transformed latencies from uniform, within the DKW bound.</summary>
    public StatCheck LatencyDistribution()
    {
        var groups = Pits().GroupBy(p => p.Type).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var alpha = Stats.FalseAlarmRate / _t.LatencyMean.Count;
        var results = groups.Select(g =>
        {
            var sample = g.Select(p => p.U).ToArray();
            var d = Stats.KsDistanceFromUniform(sample);
            var critical = Stats.KsCritical(sample.Length, alpha) + Margins.LatencyKsFloor;
            return (g.Key, N: sample.Length, D: d, Critical: critical);
        }).ToList();
        // A type with no outcome whose window ends in the data (a window shorter than its attribution window) is not tested.
        return new StatCheck("latency_distribution", results.All(r => r.D <= r.Critical),
            string.Join("; ", results.Select(r => F($"{r.Key}: D = {r.D:0.0000} ≤ {r.Critical:0.0000} (n = {r.N})"))));
    }

    /// <summary>The mean transformed latency in each tercile of the HCPs' latency factors is ½ (the latency factor's test).</summary>
    public StatCheck LatencyByHcpFactor()
    {
        var sorted = Traits.Select(t => t.LatencyFactor).Order().ToArray();
        var (low, high) = (sorted[sorted.Length / 3], sorted[2 * sorted.Length / 3]);
        int Tercile(int h) => Traits[h].LatencyFactor < low ? 1 : Traits[h].LatencyFactor < high ? 2 : 3;
        return Judge("latency_by_hcp_factor", Pits().GroupBy(p => (p.Type, Tercile(p.Hcp))).OrderBy(g => g.Key)
            .Select(g => new Cell($"{g.Key.Type} factor tercile {g.Key.Item2}", g.Average(p => p.U), 0.5, 1.0 / 12 / g.Count(), 0, g.Count())).ToList());
    }

    // ------------------------------------------------------------------ touch volumes follow affinity and tier

    /// <summary>
    /// Within each channel, the share of its touches that each affinity tercile (and, for the field channels, each tier)
    /// receives against its share of the expected volume: (offset + the HCP's affinity) × the channel's tier volume, and for
    /// conference touches the attendance probability of the HCPs whose congress falls in the window. Given the population,
    /// HCP h expects λ·wₕ touches (λ = touches / Σw); the share's variance is Σ(1[h in cell] − s)²(nₕ − λwₕ)² / N².
    /// </summary>
    public StatCheck TouchVolumeModel()
    {
        var terciles = AffinityTerciles();
        var cells = new List<Cell>();
        for (var c = 0; c < Channel.Count; c++)
        {
            var channel = Channel.Names[c];
            // Emails: the single (non-campaign) sends, which follow affinity; every enrolled HCP gets every campaign send.
            var counts = _stimuliByHcp.Select(l => (double)l.Count(s => s.Channel == channel && !(c == Channel.Email && s.CampaignId is not null))).ToArray();
            var weights = Traits.Select(t => Weight(t, c)).ToArray();
            var total = weights.Sum();
            if (total <= 0)
            {
                continue;
            }
            var touches = counts.Sum();
            var lambda = touches / total;
            void Add(string label, Func<int, bool> member)
            {
                double part = 0, w = 0;
                for (var h = 0; h < Hcps; h++)
                {
                    part += member(h) ? counts[h] : 0;
                    w += member(h) ? weights[h] : 0;
                }
                var share = w / total;
                var variance = 0.0;
                for (var h = 0; h < Hcps; h++)
                {
                    var r = ((member(h) ? 1 : 0) - share) * (counts[h] - lambda * weights[h]);
                    variance += r * r;
                }
                cells.Add(new Cell(label, touches > 0 ? part / touches : 0, share, touches > 0 ? variance / (touches * touches) : 0, Margins.TouchVolume, share * touches));
            }
            for (var k = 0; k < 3; k++)
            {
                var tercile = k;
                Add($"{channel} affinity tercile {k + 1}", h => terciles[c][h] == tercile);
            }
            if (SimulationModel.IsFieldChannel(c))
            {
                for (var tier = 0; tier < 3; tier++)
                {
                    var t = tier;
                    Add($"{channel} {SimulationConfig.Tiers[tier]}", h => Traits[h].Tier == t);
                }
            }
        }
        return Judge("touch_volume_model", cells);
    }

    private double Weight(HcpTraits t, int c)
    {
        var affinity = _t.AffinityOffset + t.Affinity[c];
        if (c == Channel.RepVisit && t.Limits[c].MaxPerMonth == 0)
        {
            return 0; // no-see
        }
        if (c != Channel.Conference)
        {
            return affinity * _d.Model.TierVolume[c, t.Tier];
        }
        return Specialties.CongressesIn(t.Specialty, _d.WindowStart, _d.AsOf) * Math.Min(1, _d.Model.CongressAttendance * affinity / _d.Model.AffinityNorm[c]);
    }

    // ------------------------------------------------------------------ prescribing

    /// <summary>
    /// An Rx row whose drivers all lie in the data (the carryover months, and the responses dated in them, which may answer
    /// touches up to the longest attribution window earlier), with its expectation under the stated model: its log-lift, the
    /// part of it carried from earlier months, each driver's stock (carryover-weighted count × the segment's multiplier).
    /// </summary>
    internal sealed record RxRow(int Hcp, int Month, double Observed, double Expected, double Cv, double LogLift, double Carried, double[] Stocks, Guid Id)
    {
        /// <summary>Variance of the count: Poisson around a gamma-distributed mean.</summary>
        public double Variance => Expected + Expected * Expected * Cv * Cv;
    }

    private List<RxRow>? _rx;

    /// <summary>The first Rx month (month start) whose drivers all lie in the data.</summary>
    internal DateOnly RxObservableFrom
    {
        get
        {
            var clean = _d.WindowStart.AddDays((int)Math.Ceiling(_t.Window.Values.Max()));
            var first = new DateOnly(clean.Year, clean.Month, 1);
            return (first < clean ? first.AddMonths(1) : first).AddMonths(_t.CarryoverMonths);
        }
    }

    internal List<RxRow> RxRows()
    {
        if (_rx is not null)
        {
            return _rx;
        }
        var drivers = _t.Drivers;
        var driverIndex = drivers.Select((d, i) => (d.Kind + ":" + d.Name, i)).ToDictionary(x => x.Item1, x => x.i, StringComparer.Ordinal);
        // Per HCP and month: each driver's count (delivered touches by channel, responses by type, in the month of their date).
        var counts = new Dictionary<(int Hcp, int Month), double[]>();
        double[] At(int h, DateTime date)
        {
            var key = (h, SimDate.MonthNumber(DateOnly.FromDateTime(date)));
            if (!counts.TryGetValue(key, out var row))
            {
                counts[key] = row = new double[drivers.Count];
            }
            return row;
        }
        foreach (var s in _d.Stimuli.Where(s => s.DeliveryStatus == "delivered"))
        {
            if (driverIndex.TryGetValue("touch:" + s.Channel, out var i))
            {
                At(_index[s.HcpId], s.EventDate)[i]++;
            }
        }
        foreach (var o in _d.Outcomes)
        {
            if (driverIndex.TryGetValue("response:" + o.OutcomeType, out var i))
            {
                At(_index[o.HcpId], o.EventDate)[i]++;
            }
        }
        var observableFrom = RxObservableFrom;
        var rows = new List<RxRow>();
        foreach (var r in _d.Rx)
        {
            var month = DateOnly.FromDateTime(r.Month);
            if (month < observableFrom)
            {
                continue;
            }
            var h = _index[r.HcpId];
            var hcp = Traits[h];
            var m = SimDate.MonthNumber(month);
            var segment = _t.SegmentLift[hcp.Segment];
            var stocks = new double[drivers.Count];
            double logLift = 0, carried = 0;
            for (var d = 0; d < drivers.Count; d++)
            {
                var weight = 1.0;
                for (var j = 0; j <= _t.CarryoverMonths; j++)
                {
                    var n = counts.TryGetValue((h, m - j), out var c) ? c[d] : 0;
                    stocks[d] += segment * weight * n;
                    carried += j > 0 ? segment * drivers[d].Lift * weight * n : 0;
                    weight *= drivers[d].Carryover;
                }
                logLift += drivers[d].Lift * stocks[d];
            }
            var expected = hcp.PatientVolume * hcp.BaseConversionRate * _t.Seasonality[month.Month - 1] * Math.Exp(logLift);
            rows.Add(new RxRow(h, month.Month, r.RxCount, expected, _t.RxNoiseSigma + _t.RxNoiseSigmaPerVolatility * hcp.Volatility, logLift, carried, stocks, r.Id));
        }
        return _rx = rows;
    }

    private static Cell RxCell(string label, IEnumerable<RxRow> rows)
    {
        double observed = 0, expected = 0, variance = 0;
        foreach (var r in rows)
        {
            observed += r.Observed;
            expected += r.Expected;
            variance += r.Variance;
        }
        return new Cell(label, observed, expected, variance, 0, expected);
    }

    private IEnumerable<RxRow> Writing => RxRows().Where(r => r.Expected > 0);

    /// <summary>Rx per calendar month against baseline × lift × the month's seasonality (the seasonality's test).</summary>
    public StatCheck RxSeasonality() => Judge("rx_seasonality",
        Writing.GroupBy(r => r.Month).OrderBy(g => g.Key).Select(g => RxCell($"month {g.Key:00}", g)).ToList());

    /// <summary>Rx by the size of the stated log-lift (none, up to 5%, 10%, 20%, more): the lift's size, not only its sign.</summary>
    public StatCheck RxEngagementLift()
    {
        static string Band(double x) => x <= 0 ? "0 no lift" : x <= 0.05 ? "1 log-lift up to 0.05" : x <= 0.10 ? "2 log-lift 0.05-0.10" : x <= 0.20 ? "3 log-lift 0.10-0.20" : "4 log-lift above 0.20";
        return Judge("rx_engagement_lift", Writing.GroupBy(r => Band(r.LogLift)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => RxCell(g.Key, g)).ToList());
    }

    /// <summary>
    /// The lift is channel-dependent: for each driver with a lift, the rows in the top third of its stock (among rows with
    /// any), against the model. A generator lifting every channel alike misses these cells.
    /// </summary>
    public StatCheck RxLiftByDriver()
    {
        var rows = Writing.ToList();
        var cells = new List<Cell>();
        var drivers = _t.Drivers;
        for (var d = 0; d < drivers.Count; d++)
        {
            if (drivers[d].Lift == 0)
            {
                continue;
            }
            var with = rows.Where(r => r.Stocks[d] > 0).OrderBy(r => r.Stocks[d]).ToList();
            if (with.Count < 3)
            {
                continue;
            }
            cells.Add(RxCell($"{drivers[d].Kind} {drivers[d].Name}: top third of stock", with.Skip(2 * with.Count / 3)));
        }
        return Judge("rx_lift_by_driver", cells);
    }

    /// <summary>The lift carries over: rows by the log-lift carried from earlier months (none, up to 2%, 5%, more).</summary>
    public StatCheck RxCarryover()
    {
        static string Band(double x) => x <= 0 ? "0 nothing carried" : x <= 0.02 ? "1 carried up to 0.02" : x <= 0.05 ? "2 carried 0.02-0.05" : "3 carried above 0.05";
        return Judge("rx_carryover", Writing.GroupBy(r => Band(r.Carried)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => RxCell(g.Key, g)).ToList());
    }

    /// <summary>The lift differs by segment: per segment, the rows with a log-lift above 0.03 (where it shows), against the model.</summary>
    public StatCheck RxLiftBySegment() => Judge("rx_lift_by_segment",
        Writing.Where(r => r.LogLift > 0.03).GroupBy(r => Traits[r.Hcp].Segment).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => RxCell(g.Key, g)).ToList());

    /// <summary>
    /// The shape of the Rx distribution: each writer's count's randomised probability integral transform under its
    /// Poisson–gamma (negative binomial) law, uniform under the model for counts of any size, in 20 equal bins, chi-square.
    /// </summary>
    public StatCheck RxDistribution()
    {
        var rows = Writing.ToList();
        const int bins = 20;
        var counts = new long[bins];
        foreach (var r in rows)
        {
            var shape = 1 / (r.Cv * r.Cv);
            var (below, upTo) = Stats.NegativeBinomialCdfPair((int)r.Observed, r.Expected, shape);
            var u = below + UniformOf(r.Id) * (upTo - below);
            counts[Math.Clamp((int)(u * bins), 0, bins - 1)]++;
        }
        if (rows.Count < Stats.MinExpectedPerCell * bins)
        {
            return new StatCheck("rx_distribution", true, $"informational: {rows.Count} Rx rows with their drivers in the data");
        }
        var fit = Stats.ChiSquareGoodnessOfFit(
            Enumerable.Range(0, bins).ToDictionary(i => i.ToString("00", CultureInfo.InvariantCulture), _ => 1.0 / bins, StringComparer.Ordinal),
            Enumerable.Range(0, bins).ToDictionary(i => i.ToString("00", CultureInfo.InvariantCulture), i => counts[i], StringComparer.Ordinal));
        return new StatCheck("rx_distribution", fit.Passes(), F($"chi-square p = {fit.P:0.####e0} ≥ {Stats.FalseAlarmRate} over {bins} bins (n = {fit.N})"));
    }

    /// <summary>
    /// Zero-inflation: the share of HCPs who write the brand at all (base conversion rate above 0) per segment against
    /// rx_writer_share (chi-square), and no Rx from an HCP who does not (exact).
    /// </summary>
    public StatCheck RxWriters()
    {
        var nonWriters = Traits.Select(t => t.Id).Where(id => Traits[_index[id]].BaseConversionRate == 0).ToHashSet();
        var offenders = _d.Rx.Where(r => r.RxCount > 0 && nonWriters.Contains(r.HcpId)).ToList();
        if (offenders.Count > 0)
        {
            return Exact("rx_writers", offenders.Count, "no Rx from an HCP with base conversion rate 0", offenders.Select(r => F($"{r.RxCount} Rx on {r.Month:yyyy-MM}")));
        }
        return Categorical("rx_writers", Traits.GroupBy(t => t.Segment).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(StringComparer.Ordinal) { ["writer"] = _t.WriterShare[g.Key], ["non-writer"] = 1 - _t.WriterShare[g.Key] },
                (IReadOnlyDictionary<string, long>)Count(g, t => t.BaseConversionRate > 0 ? "writer" : "non-writer"))));
    }

    /// <summary>
    /// Heavy-tailed prescribing: the HCPs' patient volumes against their stated law (round(rx_baseline_multiplier ×
    /// rx_specialty_volume × lognormal of mean 1 and log-sd rx_patient_volume_sigma), at least 1): randomised probability
    /// integral transform, chi-square over 20 bins. Reports the top decile's share of the Rx volume.
    /// </summary>
    public StatCheck RxPatientVolume()
    {
        const int bins = 20;
        var counts = new long[bins];
        var sigma = _t.PatientVolumeSigma;
        foreach (var t in Traits)
        {
            var mean = _t.RxBaseline * _t.SpecialtyVolume.GetValueOrDefault(t.Specialty, 1.0);
            double Cdf(int k) => k < 1 ? 0 : sigma <= 0 ? ((k + 0.5) > mean ? 1 : 0) : Stats.NormalCdf((Math.Log((k + 0.5) / mean) + sigma * sigma / 2) / sigma);
            var (below, upTo) = (Cdf(t.PatientVolume - 1), Cdf(t.PatientVolume));
            var u = below + UniformOf(t.Id) * (upTo - below);
            counts[Math.Clamp((int)(u * bins), 0, bins - 1)]++;
        }
        var totals = _d.Rx.GroupBy(r => r.HcpId).Select(g => (double)g.Sum(r => r.RxCount)).OrderDescending().ToList();
        var top = totals.Sum() > 0 ? totals.Take(totals.Count / 10).Sum() / totals.Sum() : 0;
        var fit = Stats.ChiSquareGoodnessOfFit(
            Enumerable.Range(0, bins).ToDictionary(i => i.ToString("00", CultureInfo.InvariantCulture), _ => 1.0 / bins, StringComparer.Ordinal),
            Enumerable.Range(0, bins).ToDictionary(i => i.ToString("00", CultureInfo.InvariantCulture), i => counts[i], StringComparer.Ordinal));
        return new StatCheck("rx_patient_volume", fit.Passes(), F($"chi-square p = {fit.P:0.####e0} ≥ {Stats.FalseAlarmRate} over {bins} bins (n = {fit.N}); top decile of prescribers writes {top:P1} of the Rx"));
    }

    /// <summary>
    /// No partial month reported as full: every HCP has exactly one Rx row for each month that ends within the window, and
    /// none for a month still running on the as-of day (exact).
    /// </summary>
    public StatCheck RxMonthsComplete()
    {
        var months = new List<DateTime>();
        for (var m = new DateOnly(_d.WindowStart.Year, _d.WindowStart.Month, 1); m <= _d.AsOf; m = m.AddMonths(1))
        {
            var end = m.AddMonths(1).AddDays(-1);
            if (end >= _d.WindowStart && end <= _d.AsOf)
            {
                months.Add(SimDate.StartUtc(m));
            }
        }
        var expected = months.ToHashSet();
        var offenders = _d.Rx.Where(r => !expected.Contains(r.Month)).Select(r => F($"a row for {r.Month:yyyy-MM}, which does not end within {_d.WindowStart:yyyy-MM-dd}..{_d.AsOf:yyyy-MM-dd}"))
            .Concat(_d.Rx.GroupBy(r => r.HcpId).Where(g => g.Count() != months.Count || g.Select(r => r.Month).Distinct().Count() != g.Count())
                .Select(g => F($"an HCP with {g.Count()} rows for {months.Count} complete months")))
            .ToList();
        return Exact("rx_months_complete", offenders.Count, F($"one row per HCP for each of the {months.Count} months ending in the window"), offenders);
    }

    // ------------------------------------------------------------------ products

    /// <summary>
    /// One brand per HCP, its specialty's (product_portfolio): the brand of its Rx rows, its rep visits' key messages and
    /// samples, its sample requests, its campaigns and its emails' products (scenario launch touches name their launch product).
    /// </summary>
    public StatCheck ProductConsistency()
    {
        var brand = Profiles.ToDictionary(p => p.Id, p => _t.Products[p.Specialty]);
        var offenders = new List<string>();
        foreach (var r in _d.Rx)
        {
            var keys = JsonDocument.Parse(r.ProductMix).RootElement.EnumerateObject().Select(x => x.Name).Where(k => !k.StartsWith("competitor", StringComparison.Ordinal)).ToList();
            if (keys.Count != 1 || keys[0] != brand[r.HcpId])
            {
                offenders.Add($"Rx of {string.Join("+", keys)} by a {brand[r.HcpId]} prescriber");
            }
        }
        var campaigns = _d.Campaigns.ToDictionary(c => c.Id);
        var promoted = new Dictionary<Guid, string>();
        foreach (var s in _d.Stimuli)
        {
            var m = JsonDocument.Parse(s.Metadata!).RootElement;
            var launch = m.TryGetProperty("launch_product", out var l) ? l.GetString() : null;
            var expected = launch ?? brand[s.HcpId];
            var named = new List<string>();
            if (m.TryGetProperty("product", out var p))
            {
                named.Add(p.GetString()!);
            }
            foreach (var list in new[] { "key_messages", "samples" })
            {
                if (m.TryGetProperty(list, out var items))
                {
                    named.AddRange(items.EnumerateArray().Select(x => x.GetProperty("product").GetString()!));
                }
            }
            if (s.CampaignId is { } c && campaigns[c].Product != brand[s.HcpId])
            {
                offenders.Add($"a {campaigns[c].Product} campaign touching a {brand[s.HcpId]} prescriber");
            }
            offenders.AddRange(named.Where(n => n != expected).Select(n => $"{s.Channel} naming {n} to a {brand[s.HcpId]} prescriber"));
            promoted[s.Id] = expected;
        }
        foreach (var o in _d.Outcomes.Where(o => o.OutcomeType == "sample_request"))
        {
            var product = JsonDocument.Parse(o.Metadata!).RootElement.GetProperty("product").GetString();
            if (promoted.TryGetValue(o.StimulusId!.Value, out var expected) && product != expected)
            {
                offenders.Add($"a sample request for {product} after a touch promoting {expected}");
            }
        }
        return Exact("product_consistency", offenders.Count, "every touch, sample, campaign and Rx row names the HCP's specialty's brand (or a launch product)", offenders);
    }

    /// <summary>A uniform number in [0, 1) hashed from a row id (whose version bits are fixed): the randomisation of a discrete PIT, reproducible.</summary>
    private static double UniformOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        var mixed = Randomness.KeyedRandom.Mix(BitConverter.ToUInt64(bytes) ^ Randomness.KeyedRandom.Mix(BitConverter.ToUInt64(bytes[8..])));
        return (mixed >> 11) * (1.0 / (1UL << 53));
    }

    // ------------------------------------------------------------------ temporal patterns

    private static DateOnly Day(DateTime t) => DateOnly.FromDateTime(t);

    /// <summary>The clock a touch is timed by: the HCP's time zone (conference touches: the congress's, Central).</summary>
    private UsTimeZone ZoneOf(StimulusEvent s) => s.Channel == "conference" ? LocalHours.CongressZone : Traits[_index[s.HcpId]].TimeZone;

    private DateTime Local(StimulusEvent s) => ZoneOf(s).ToLocal(s.EventDate);

    private DateOnly LocalDay(StimulusEvent s) => Day(Local(s));

    public StatCheck NoHolidayTouches()
    {
        var offenders = _d.Stimuli.Where(s => UsHolidays.IsBlackout(LocalDay(s))).ToList();
        return Exact("no_holiday_touches", offenders.Count, "no touch on a major US holiday or its observed day (local)", offenders.Select(s => F($"{s.Channel} on {LocalDay(s):yyyy-MM-dd}")));
    }

    /// <summary>
    /// Business channels never on weekends (exact), and digital ads on weekends in the share their weekday weights give
    /// (Saturday and Sunday 0.4, weekdays 1, holidays 0), month by month over the window.
    /// </summary>
    public StatCheck WeekdayWeighting()
    {
        var weekend = _d.Stimuli.Where(s => BusinessChannels.Contains(s.Channel) && SimDate.IsWeekend(LocalDay(s))).ToList();
        if (weekend.Count > 0)
        {
            return Exact("weekday_weighting", weekend.Count, "no email, rep visit or phone call on a weekend", weekend.Select(s => F($"{s.Channel} on {LocalDay(s):ddd yyyy-MM-dd}")));
        }
        // Expected weekend share of ads: per month, the weekend days' weight over the month's weight, averaged by the month's ads.
        var ads = _d.Stimuli.Where(s => s.Channel == "digital_ad").ToList();
        var expected = ads.GroupBy(s => (LocalDay(s).Year, LocalDay(s).Month)).Sum(g =>
        {
            double weekendWeight = 0, all = 0;
            for (var d = new DateOnly(g.Key.Year, g.Key.Month, 1); d.Month == g.Key.Month; d = d.AddDays(1))
            {
                if (d < _d.WindowStart || d > _d.AsOf)
                {
                    continue;
                }
                var w = UsHolidays.IsBlackout(d) ? 0 : SimDate.IsWeekend(d) ? 0.4 : 1;
                weekendWeight += SimDate.IsWeekend(d) ? w : 0;
                all += w;
            }
            return g.Count() * weekendWeight / all;
        }) / Math.Max(1, ads.Count);
        var sums = new ShareSums();
        foreach (var list in _stimuliByHcp)
        {
            sums = sums.Add(list.Count(s => s.Channel == "digital_ad" && SimDate.IsWeekend(LocalDay(s))), list.Count(s => s.Channel == "digital_ad"));
        }
        return Judge("weekday_weighting", [new Cell("weekend share of digital ads (no business touches on weekends)", sums.Share, expected, sums.VarianceAt(expected), Margins.AdWeekendShare, expected * sums.Total)]);
    }

    /// <summary>
    /// The share of email, rep and phone touches in quarter-end months against the quarter_end_multiplier, over the whole
    /// calendar months of the window (how a month's touches spread over its days is another matter).
    /// </summary>
    public StatCheck QuarterEndPush()
    {
        double pushed = 0, all = 0;
        var months = new HashSet<(int, int)>();
        for (var m = new DateOnly(_d.WindowStart.Year, _d.WindowStart.Month, 1); m <= _d.AsOf; m = m.AddMonths(1))
        {
            if (m < _d.WindowStart || m.AddMonths(1).AddDays(-1) > _d.AsOf)
            {
                continue;
            }
            months.Add((m.Year, m.Month));
            all += _t.MonthFactor("email", m.Month);
            pushed += _t.QuarterEndMonths.Contains(m.Month) ? _t.MonthFactor("email", m.Month) : 0;
        }
        var expected = all > 0 ? pushed / all : 0;
        var sums = new ShareSums();
        foreach (var list in _stimuliByHcp)
        {
            var business = list.Where(s => _t.QuarterEndChannels.Contains(s.Channel) && months.Contains((s.EventDate.Year, s.EventDate.Month))).ToList();
            sums = sums.Add(business.Count(s => _t.QuarterEndMonths.Contains(s.EventDate.Month)), business.Count);
        }
        return Judge("quarter_end_push", [new Cell("share of email, rep and phone touches in quarter-end months", sums.Share, expected, sums.VarianceAt(expected), Margins.QuarterEndShare, expected * sums.Total)]);
    }

    /// <summary>
    /// Rep visits cluster by rep, city and day: pairs of visits by one rep to one city in one week fall on the same day
    /// far more often than independent days would put them (Σ p_d² of that week's visit days). One-sided: fails when
    /// the data are consistent with independent days at the false-alarm rate.
    /// </summary>
    public StatCheck RepVisitsCluster()
    {
        var hcps = Profiles.ToDictionary(p => p.Id);
        var visits = _d.Stimuli.Where(s => s.Channel == "rep_visit").Select(s => (s.RepId, hcps[s.HcpId].City, Day: LocalDay(s))).ToList();
        // Weeks (Monday to Sunday): a rep works a state's HCPs on a route day, so a city's visits of a week share a day.
        static int Week(DateOnly d) => d.DayNumber - (SimDate.IsoWeekday(d) - 1);
        var baseline = visits.GroupBy(v => Week(v.Day)).ToDictionary(g => g.Key, g =>
        {
            var n = (double)g.Count();
            return g.GroupBy(v => v.Day).Sum(d => d.Count() / n * (d.Count() / n));
        });
        var excess = visits.GroupBy(v => (v.RepId, v.City, Week(v.Day))).Where(g => g.Count() >= 2).Select(g =>
        {
            var n = g.Count();
            var sameDay = g.GroupBy(v => v.Day).Sum(d => d.Count() * (d.Count() - 1) / 2.0);
            return sameDay / (n * (n - 1) / 2.0) - baseline[g.Key.Item3];
        }).ToList();
        if (excess.Count < 20)
        {
            return new StatCheck("rep_visits_cluster", true, $"informational: {excess.Count} rep-city weeks with two or more visits");
        }
        var mean = excess.Average();
        var sd = Math.Sqrt(excess.Sum(x => (x - mean) * (x - mean)) / (excess.Count - 1));
        var z = sd > 0 ? mean / (sd / Math.Sqrt(excess.Count)) : mean > 0 ? double.PositiveInfinity : 0;
        var critical = Stats.ZCriticalOneSided();
        return new StatCheck("rep_visits_cluster", z > critical,
            F($"same-day share of visit pairs exceeds independent days by {mean:0.###} over {excess.Count} rep-city weeks (z = {z:0.#}, needs > {critical:0.##})"));
    }

    /// <summary>Campaign emails go out on the campaign's send days, in labelled batches of at most email_batch_size, one day each (exact).</summary>
    public StatCheck CampaignEmailBatches()
    {
        var campaigns = _d.Campaigns.ToDictionary(c => c.Id);
        var emails = _d.Stimuli.Where(s => s.Channel == "email" && s.CampaignId is not null).ToList();
        var offDay = emails.Where(e => !campaigns[e.CampaignId!.Value].SendDays.Contains(Day(e.EventDate))).ToList();
        var batches = emails.GroupBy(e => JsonDocument.Parse(e.Metadata!).RootElement.GetProperty("send_batch").GetString()).ToList();
        var bad = batches.Where(b => b.Count() > _t.EmailBatchSize || b.Select(e => Day(e.EventDate)).Distinct().Count() > 1).ToList();
        return Exact("campaign_email_batches", offDay.Count + bad.Count, F($"campaign emails on their send days, batches of ≤ {_t.EmailBatchSize} on one day"),
            offDay.Select(e => F($"email of {campaigns[e.CampaignId!.Value].Name} on {Day(e.EventDate):ddd yyyy-MM-dd}")).Concat(bad.Select(b => $"batch {b.Key}")));
    }

    public StatCheck WebinarLead()
    {
        var offenders = _d.Stimuli.Where(s => s.Channel == "webinar").Select(s => (Invite: Day(s.EventDate),
            Event: DateOnly.ParseExact(JsonDocument.Parse(s.Metadata!).RootElement.GetProperty("event_date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture)))
            .Where(x => x.Event.DayNumber - x.Invite.DayNumber != _t.WebinarLeadDays).ToList();
        return Exact("webinar_lead", offenders.Count, $"invitations exactly {_t.WebinarLeadDays} days before the event", offenders.Select(x => F($"{x.Invite:yyyy-MM-dd} for {x.Event:yyyy-MM-dd}")));
    }

    public StatCheck ConferenceOnCongress()
    {
        var hcps = Profiles.ToDictionary(p => p.Id);
        var offenders = _d.Stimuli.Where(s => s.Channel == "conference").Where(s =>
        {
            var specialty = hcps[s.HcpId].Specialty;
            var day = LocalDay(s);
            var offset = day.DayNumber - Specialties.CongressStart(specialty, day.Year).DayNumber;
            return offset < 0 || offset >= Specialties.CongressFor(specialty).Days;
        }).ToList();
        return Exact("conference_on_congress", offenders.Count, "conference touches on the days of the HCP's specialty congress",
            offenders.Select(s => F($"{hcps[s.HcpId].Specialty} touch on {Day(s.EventDate):yyyy-MM-dd}")));
    }

    // ------------------------------------------------------------------ clock time, field force, campaigns, addresses

    /// <summary>Every touch in its channel's local working hours (the HCP's time zone), business channels on local weekdays (exact).</summary>
    public StatCheck LocalWorkingHours()
    {
        var offenders = _d.Stimuli.Where(s =>
        {
            var c = Channel.IndexOf(s.Channel);
            var local = Local(s);
            var hour = (local - local.Date).TotalHours;
            var bounds = LocalHours.Bounds(c);
            return hour < bounds.From || hour >= bounds.To || (LocalHours.IsBusinessChannel(c) && SimDate.IsWeekend(Day(local)));
        }).ToList();
        return Exact("local_working_hours", offenders.Count, "touches in their channel's local working hours, business channels on local weekdays",
            offenders.Select(s => F($"{s.Channel} at {Local(s):ddd yyyy-MM-dd HH:mm} local")));
    }

    /// <summary>
    /// Responses come only when their rhythm (response_rhythm) has a rate: meetings and sample requests in business hours of
    /// local business days, email opens and clicks never on Christmas Day (exact).
    /// </summary>
    public StatCheck ResponseHours()
    {
        var offenders = _d.Outcomes.Where(o =>
        {
            if (ResponseRhythm.For(o.OutcomeType) is not { } rhythm)
            {
                return false;
            }
            var local = Traits[_index[o.HcpId]].TimeZone.ToLocal(o.EventDate);
            var kind = ResponseRhythm.DayKind(Day(local));
            return kind == 2 || (kind == 0 ? rhythm.Workday : rhythm.OffDay)[local.Hour] <= 0;
        }).ToList();
        return Exact("response_hours", offenders.Count, "responses only in their rhythm's local hours, none on Christmas Day",
            offenders.Select(o => F($"{o.OutcomeType} at {Traits[_index[o.HcpId]].TimeZone.ToLocal(o.EventDate):ddd yyyy-MM-dd HH:mm} local")));
    }

    /// <summary>Nothing dated after the as-of day: no touch and no response from the future (exact).</summary>
    public StatCheck NoFutureEvents()
    {
        var offenders = _d.Stimuli.Where(s => s.EventDate >= _end).Select(s => F($"{s.Channel} at {s.EventDate:O}"))
            .Concat(_d.Outcomes.Where(o => o.EventDate >= _end).Select(o => F($"{o.OutcomeType} at {o.EventDate:O}"))).ToList();
        return Exact("no_future_events", offenders.Count, F($"no event after {_d.AsOf:yyyy-MM-dd}"), offenders);
    }

    /// <summary>
    /// No holes at the month's edges: the share of each business channel's touches on local days 1–3 and 29–31 against the
    /// share of the window's business days (weekdays, no holiday) there, weighted by the month factor, with a stated margin
    /// (campaign send weekdays and route-day timetables do not follow the calendar exactly).
    /// </summary>
    public StatCheck NoMonthEdgeHoles()
    {
        static bool Edge(DateOnly d) => d.Day <= 3 || d.Day >= 29;
        var cells = new List<Cell>();
        foreach (var channel in BusinessChannels)
        {
            double edge = 0, all = 0;
            for (var d = _d.WindowStart; d <= _d.AsOf; d = d.AddDays(1))
            {
                if (SimDate.IsWeekend(d) || UsHolidays.IsBlackout(d))
                {
                    continue;
                }
                var w = _t.MonthFactor(channel, d.Month);
                all += w;
                edge += Edge(d) ? w : 0;
            }
            var expected = edge / all;
            var sums = new ShareSums();
            foreach (var list in _stimuliByHcp)
            {
                var mine = list.Where(s => s.Channel == channel).Select(LocalDay).Where(d => d >= _d.WindowStart && d <= _d.AsOf).ToList();
                sums = sums.Add(mine.Count(Edge), mine.Count);
            }
            cells.Add(new Cell($"{channel} share on days 1-3 and 29-31", sums.Share, expected, sums.VarianceAt(expected), Margins.MonthEdgeShare, expected * sums.Total));
        }
        return Judge("no_month_edge_holes", cells);
    }

    /// <summary>No rep visit to a no-see HCP (rep_visit max_contacts_per_month 0; exact).</summary>
    public StatCheck NoSeeNotVisited()
    {
        var offenders = _d.Stimuli.Where(s => s.Channel == "rep_visit" && Traits[_index[s.HcpId]].Limits[Channel.RepVisit].MaxPerMonth == 0).ToList();
        return Exact("no_see_not_visited", offenders.Count, "no rep visit to a no-see HCP", offenders.Select(s => F($"visit on {LocalDay(s):yyyy-MM-dd}")));
    }

    /// <summary>
    /// Overlay reps work: every overlay rep covering at least <see cref="MinOverlayHcps"/> HCPs who see reps makes visits in the
    /// window (one with fewer may never have two of them due on one route day, the least it rides along for).
    /// </summary>
    public StatCheck OverlayRepsActive()
    {
        var visiting = _d.Stimuli.Where(s => s.Channel == "rep_visit").Select(s => s.RepId).ToHashSet(StringComparer.Ordinal);
        var covered = Traits.Where(t => t.OverlayRep >= 0 && t.Limits[Channel.RepVisit].MaxPerMonth > 0).GroupBy(t => _d.Population.OverlayReps[t.OverlayRep].Id).ToList();
        var idle = covered.Where(g => g.Count() >= MinOverlayHcps && !visiting.Contains(g.Key)).Select(g => F($"{g.Key} ({g.Count()} HCPs)")).ToList();
        var big = covered.Count(g => g.Count() >= MinOverlayHcps);
        return big == 0
            ? new StatCheck("overlay_reps_active", true, F($"informational: no overlay rep covers {MinOverlayHcps} HCPs who see reps"))
            : Exact("overlay_reps_active", idle.Count, F($"each of {big} overlay reps covering {MinOverlayHcps}+ HCPs who see reps makes visits"), idle);
    }

    /// <summary>Overlay reps covering fewer HCPs who see reps than this are not required to have ridden along.</summary>
    public const int MinOverlayHcps = 40;

    /// <summary>A rep works one state a day: its visits of a local day are to HCPs of one state (exact).</summary>
    public StatCheck RepOneStateADay()
    {
        var offenders = _d.Stimuli.Where(s => s.Channel == "rep_visit").GroupBy(s => (s.RepId, LocalDay(s)))
            .Where(g => g.Select(s => Traits[_index[s.HcpId]].State).Distinct(StringComparer.Ordinal).Count() > 1).ToList();
        return Exact("rep_one_state_a_day", offenders.Count, "a rep's visits of a day in one state", offenders.Select(g => F($"{g.Key.RepId} on {g.Key.Item2:yyyy-MM-dd}")));
    }

    /// <summary>
    /// A campaign's send reaches its enrolled HCPs: of the (enrolled HCP, send day) pairs in the window, the share with that
    /// campaign's email on that day, at least 1 − <see cref="Margins.CampaignSendMissed"/> (contact rules, lapsed addresses
    /// and personal blackout days stop the rest).
    /// </summary>
    public StatCheck CampaignSendReach()
    {
        var got = _d.Stimuli.Where(s => s.Channel == "email" && s.CampaignId is not null).Select(s => (s.CampaignId!.Value, s.HcpId, LocalDay(s))).ToHashSet();
        long pairs = 0, reached = 0;
        foreach (var c in _d.Campaigns.Where(c => c.HasChannel[Channel.Email]))
        {
            var days = c.SendDays.Where(d => d >= _d.WindowStart && d <= _d.AsOf).ToList();
            if (days.Count == 0)
            {
                continue;
            }
            for (var h = 0; h < Hcps; h++)
            {
                if (!_d.Population.IsEnrolled(c, h))
                {
                    continue;
                }
                foreach (var d in days)
                {
                    pairs++;
                    reached += got.Contains((c.Id, Traits[h].Id, d)) ? 1 : 0;
                }
            }
        }
        var share = pairs > 0 ? (double)reached / pairs : 1;
        return new StatCheck("campaign_send_reach", pairs == 0 || share >= 1 - Margins.CampaignSendMissed,
            F($"{reached} of {pairs} (enrolled HCP, send) pairs reached ({share:P1}, needs ≥ {1 - Margins.CampaignSendMissed:P0})"));
    }

    /// <summary>Every Congress Program campaign holds its specialty's congress, starting a week or more after the campaign (exact).</summary>
    public StatCheck CongressProgramsTimed()
    {
        var offenders = _d.Campaigns.Where(c => c.Name.Contains("Congress Program", StringComparison.Ordinal)).Where(c =>
        {
            if (c.Specialty is null || c.CongressStart is not { } start)
            {
                return true;
            }
            return start != Specialties.CongressStart(c.Specialty, start.Year) || start < c.Start.AddDays(7)
                || start.AddDays(Specialties.CongressFor(c.Specialty).Days - 1) > c.End;
        }).ToList();
        return Exact("congress_programs_timed", offenders.Count, "Congress Programs timed to their specialty's congress", offenders.Select(c => c.Name));
    }

    /// <summary>No campaign email on Christmas Eve or New Year's Eve (local; exact).</summary>
    public StatCheck NoCampaignEmailOnEves()
    {
        var offenders = _d.Stimuli.Where(s => s.Channel == "email" && s.CampaignId is not null && CampaignCalendar.IsEve(LocalDay(s))).ToList();
        return Exact("no_campaign_email_on_eves", offenders.Count, "no campaign email on Christmas Eve or New Year's Eve", offenders.Select(s => F($"email on {LocalDay(s):yyyy-MM-dd}")));
    }

    /// <summary>After a hard bounce no email or invitation goes to the address until its suppressed_until day (exact).</summary>
    public StatCheck BouncedAddressesSuppressed()
    {
        var offenders = new List<string>();
        foreach (var list in _stimuliByHcp)
        {
            DateTime? bouncedAt = null;
            DateOnly until = default;
            foreach (var s in list.Where(s => s.Channel is "email" or "webinar"))
            {
                if (bouncedAt is not null && LocalDay(s) < until)
                {
                    offenders.Add(F($"{s.Channel} on {LocalDay(s):yyyy-MM-dd} before {until:yyyy-MM-dd}"));
                }
                if (s.Metadata is { } m && m.Contains("\"suppressed_until\"", StringComparison.Ordinal))
                {
                    bouncedAt = s.EventDate;
                    until = DateOnly.ParseExact(JsonDocument.Parse(m).RootElement.GetProperty("suppressed_until").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                }
            }
        }
        return Exact("bounced_addresses_suppressed", offenders.Count, "nothing sent to a hard-bounced address until it is unsuppressed", offenders);
    }
}
