using System.Globalization;
using HcpPlatform.Engine.Generators;
using HcpPlatform.Engine.Statistics;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Volumes against seeds/001's ratios, scaled to the dataset's HCPs and window, each threshold from the sample size at
/// the false-alarm rate <see cref="Stats.FalseAlarmRate"/>; HCPs are the independent units (their counts vary with their
/// own traits and draws), so variances are estimated from them. Days of scenario events that change volumes or responses
/// are left out.
/// <list type="bullet">
/// <item>hcp_count — exactly dataset_info.hcp_count profiles</item>
/// <item>stimuli_per_hcp_year — touches per HCP against StimuliPerHcpYear (40) over the window, adjusted for its quarter-end
/// months, month lengths and weekdays (<see cref="ValidationContext.MonthDayShares"/>): within z·sd of the mean + 1% (the engine lands within 0.04% of the target over 200 seeds: caps and blackout days)</item>
/// <item>outcomes_per_stimulus — outcomes per stimulus against the declared OutcomesPerStimulus (default 0.09: benchmark
/// response rates and digital ad impressions, which get no response, at 62% of touches; seeds/001 says 20%), counting only stimuli at least the longest
/// attribution window before the end (whose outcomes are all observable). Channels respond at different rates, so each
/// channel's rate is weighted by its configured share of a year (a window of a few months has another mix). Variance:
/// the weighted ratio's linearisation over HCPs, Σₕ(Σ_c s_c(oₕc − r_c·nₕc)/N_c)²; + 4% (the declared ratio is a target the
/// response model lands near, not a parameter of it: 0.0896 at seed 42, development scale, 12 months)</item>
/// <item>territory_rows_per_hcp — one primary row per HCP plus an overlay for each HCP with probability OverlayShare:
/// the overlays are binomial</item>
/// <item>hcps_per_primary_rep — exact: in each region max(1, round(its HCPs / HcpsPerRep)) primary reps (one more or less
/// after erasures), an even split of the region's HCPs</item>
/// <item>campaign_volume — campaigns overlapping the window against the campaign calendar's renewal expectation and
/// variance (<see cref="CampaignCalendar.ExpectedOverlapping"/>: 30 + 10 per 1,000 HCPs a year, MaxConcurrentCampaigns lanes),
/// ± z·sd + 1</item>
/// </list>
/// Below <see cref="FidelityChecks.MinimumUnits"/> HCPs the variances estimated from HCPs are not trusted: those checks are informational.
/// </summary>
internal static class VolumeChecks
{
    public const string Category = "volumes";

    public const double StimuliVolumeMargin = 0.01;
    public const double OutcomesMargin = 0.04;

    public static async Task RunAsync(CheckRun run)
    {
        var s = run.C.S;
        var cfg = run.C.Config;
        var longestWindow = cfg.AttributionWindowDays.Values.DefaultIfEmpty(0).Max();
        var counts = await run.TryQueryAsync([("hcp_count", "Row counts of the dataset tables.")], Category, $"""
            WITH n AS (SELECT s.hcp_id, count(*)::float8 AS n FROM {s}.stimuli_events s WHERE {run.C.OutsideVolumeEvents("s")} GROUP BY s.hcp_id),
            per AS (SELECT coalesce(n.n, 0) AS n FROM {s}.hcp_profiles p LEFT JOIN n ON n.hcp_id = p.id),
            -- Reps of the HCPs with exactly one primary row (more, or none, is one_primary_rep's finding).
            reps AS (
                SELECT rep_id, count(*) AS hcps FROM {s}.territory_assignments t
                WHERE is_primary AND NOT EXISTS (SELECT 1 FROM {s}.territory_assignments u WHERE u.hcp_id = t.hcp_id AND u.is_primary AND u.id <> t.id)
                GROUP BY rep_id
            )
            SELECT (SELECT count(*) FROM {s}.hcp_profiles),
                   (SELECT count(*) FROM {s}.stimuli_events),
                   (SELECT count(*) FROM {s}.territory_assignments),
                   (SELECT count(*) FROM reps), (SELECT coalesce(max(hcps), 0) FROM reps),
                   (SELECT count(*) FROM {s}.campaigns),
                   coalesce(sum(n), 0), coalesce(sum(n * n), 0)
            FROM per
            """, r => (Hcps: r.GetInt64(0), Stimuli: r.GetInt64(1), Territory: r.GetInt64(2), PrimaryReps: r.GetInt64(3), MaxPerRep: r.GetInt64(4), Campaigns: r.GetInt64(5),
                Touches: r.GetDouble(6), TouchesSquared: r.GetDouble(7)),
            run.C.AddVolumeEventPeriods);
        var settled = await run.TryQueryAsync([("outcomes_per_stimulus", "Outcomes per stimulus.")], Category, $"""
            WITH hc AS (
                SELECT s.hcp_id, s.channel, count(*)::float8 AS n, coalesce(sum(o.k), 0)::float8 AS o
                FROM {s}.stimuli_events s
                LEFT JOIN (SELECT stimulus_id, count(*) AS k FROM {s}.outcome_events GROUP BY stimulus_id) o ON o.stimulus_id = s.id
                WHERE {run.C.OutsideVolumeEvents("s")} AND s.event_date + @longestWindow * interval '1 day' <= @end
                GROUP BY s.hcp_id, s.channel
            ),
            t AS (
                SELECT hc.*, w.share, sum(hc.n) OVER (PARTITION BY hc.channel) AS nc, sum(hc.o) OVER (PARTITION BY hc.channel) AS oc
                FROM hc JOIN unnest(@channels::text[], @shares::float8[]) AS w(channel, share) ON w.channel = hc.channel
            ),
            u AS (SELECT hcp_id, sum(share * (o - oc / nc * n) / nc) AS u FROM t GROUP BY hcp_id)
            SELECT channel, 0.0, max(nc), max(oc) FROM t GROUP BY channel
            UNION ALL
            SELECT '', coalesce(sum(u * u), 0), count(*), 0 FROM u
            """, r => (Channel: r.GetString(0), Variance: r.GetDouble(1), Stimuli: r.GetDouble(2), Outcomes: r.GetDouble(3)),
            p =>
            {
                p.AddWithValue("longestWindow", longestWindow);
                p.AddWithValue("end", FidelityChecks.EndOfData(run));
                p.AddWithValue("channels", Engine.Simulation.Channel.Names);
                p.AddWithValue("shares", run.C.Model.ChannelShare);
                run.C.AddVolumeEventPeriods(p);
            });
        if (counts is null)
        {
            return;
        }
        var c = counts[0];
        var declared = run.C.Info.HcpCount;
        run.Add(new CheckResult("hcp_count", Category, c.Hcps == declared, c.Hcps, $"= {declared} (dataset_info.hcp_count)",
            "The dataset holds exactly the HCPs it declares.", c.Hcps == declared ? [] : [$"{c.Hcps} profiles, {declared} declared"]));

        var informational = c.Hcps < FidelityChecks.MinimumUnits;
        var h = Math.Max(1, c.Hcps);
        var years = run.C.VolumeDays / 365.25;

        // Touches per HCP: the mean over HCPs, its variance the HCPs' sample variance / n.
        var mean = c.Touches / h;
        var variance = c.Hcps > 1 ? Math.Max(0, c.TouchesSquared - c.Touches * c.Touches / h) / (h - 1) / h : 0;
        var perYear = run.C.WindowStimuliPerHcpYear;
        Add(run, informational, "stimuli_per_hcp_year",
            F($"Touches per HCP-year over the window's {run.C.VolumeDays} days ({c.Stimuli:N0} stimuli, {c.Hcps:N0} HCPs) against {cfg.StimuliPerHcpYear:0.#} a year adjusted for the window's months and weekdays ({perYear:0.##}); measured: touches per HCP-year."),
            years > 0 ? Math.Round(mean / years, 3) : null,
            new Cell("touches per HCP over the window", mean, perYear * years, variance, StimuliVolumeMargin, perYear * years * h));

        if (settled is not null)
        {
            // Each channel's response rate, weighted by its configured share of a year's touches.
            var byChannel = settled.Where(x => x.Channel.Length > 0 && x.Stimuli > 0).ToList();
            var shareOf = Engine.Simulation.Channel.Names.Select((name, i) => (name, run.C.Model.ChannelShare[i])).ToDictionary(x => x.name, x => x.Item2, StringComparer.Ordinal);
            var weight = byChannel.Sum(x => shareOf[x.Channel]);
            var ratio = weight > 0 ? byChannel.Sum(x => shareOf[x.Channel] * x.Outcomes / x.Stimuli) / weight : 0;
            var total = settled.Where(x => x.Channel.Length > 0).Sum(x => x.Stimuli);
            var ratioVariance = weight > 0 ? settled.Where(x => x.Channel.Length == 0).Sum(x => x.Variance) / (weight * weight) : 0;
            // Touches whose attribution windows have all closed cover the window less its longest attribution window: under four
            // weeks of them (a one-month window: a day or two, perhaps a weekend of digital ads that never respond) say nothing.
            var settledDays = run.C.WindowDays - longestWindow;
            var tooShort = settledDays < MinimumSettledDays;
            Add(run, informational || tooShort, "outcomes_per_stimulus",
                F($"Outcomes per stimulus against the declared OutcomesPerStimulus ({cfg.OutcomesPerStimulus:0.###}; seeds/001 says 0.20, README Realism): stimuli at least {longestWindow} days before the end ({total:N0}, {settled.Where(x => x.Channel.Length > 0).Sum(x => x.Outcomes):N0} outcomes), each channel's rate weighted by its configured share of a year; measured: the weighted ratio."),
                Math.Round(ratio, 4),
                new Cell("outcomes / stimuli, channels at their yearly mix", ratio, cfg.OutcomesPerStimulus, ratioVariance, OutcomesMargin, total * cfg.OutcomesPerStimulus), "share",
                !informational && tooShort ? F($"informational: {Math.Max(0, settledDays)} day{(settledDays == 1 ? "" : "s")} of touches with closed attribution windows (judged from {MinimumSettledDays})") : null);
        }

        var overlay = cfg.OverlayShare;
        Add(run, false, "territory_rows_per_hcp",
            F($"Territory assignment rows ({c.Territory:N0}): one primary per HCP plus an overlay with probability OverlayShare ({overlay:0.##}), binomial; measured: rows per HCP."),
            Math.Round((double)c.Territory / h, 4),
            new Cell("overlay rows", c.Territory - c.Hcps, c.Hcps * overlay, c.Hcps * overlay * (1 - overlay), 0, c.Hcps * overlay));

        // Primary reps per region: an even split of the region's HCPs over max(1, round(n / HcpsPerRep)) reps; erasures remove
        // HCPs, never reps (a region's count of the HCPs generated is not known after an erasure: one rep more or less is allowed).
        var regions = await run.TryQueryAsync([("hcps_per_primary_rep", "Primary reps per region.")], Category, $"""
            WITH t AS (
                SELECT p.region, t.rep_id FROM {s}.territory_assignments t JOIN {s}.hcp_profiles p ON p.id = t.hcp_id
                WHERE t.is_primary AND NOT EXISTS (SELECT 1 FROM {s}.territory_assignments u WHERE u.hcp_id = t.hcp_id AND u.is_primary AND u.id <> t.id)
            ),
            per AS (SELECT region, rep_id, count(*) AS hcps FROM t GROUP BY 1, 2)
            SELECT region, sum(hcps), count(*), max(hcps) FROM per GROUP BY region ORDER BY region
            """, r => (Region: r.GetString(0), Hcps: r.GetInt64(1), Reps: r.GetInt64(2), Busiest: r.GetInt64(3)));
        if (regions is not null)
        {
            var erased = Math.Max(0, run.C.Parameters.Hcps - c.Hcps);
            var offenders = new List<string>();
            foreach (var r in regions)
            {
                var expectedReps = Math.Max(1, (long)Math.Floor(r.Hcps / cfg.HcpsPerRep + 0.5));
                var maxLoad = (long)Math.Ceiling((double)(r.Hcps + erased) / r.Reps);
                if ((r.Reps != expectedReps && (erased == 0 || Math.Abs(r.Reps - expectedReps) > 1)) || r.Busiest > maxLoad)
                {
                    offenders.Add(F($"{r.Region}: {r.Hcps} HCPs, {r.Reps} primary reps (expected {expectedReps}), the busiest covering {r.Busiest} (at most {maxLoad})"));
                }
            }
            run.Add(new CheckResult("hcps_per_primary_rep", Category, regions.Count > 0 && offenders.Count == 0, c.PrimaryReps == 0 ? null : Math.Round((double)c.Hcps / c.PrimaryReps, 3),
                F($"per region max(1, round(HCPs / {cfg.HcpsPerRep:0.##})) primary reps{(erased > 0 ? $" (± 1 after {erased} erased HCPs)" : "")}, an even split"),
                "HCPs per primary rep: every region's HCPs split evenly among about one rep per HcpsPerRep HCPs, at least one a region.",
                regions.Count == 0 ? ["no primary assignments"] : offenders));
        }

        var generated = (int)Math.Max(run.C.Parameters.Hcps, c.Hcps);
        var (expected, campaignVariance) = CampaignCalendar.ExpectedOverlapping(run.C.Model, generated, run.C.WindowDays + 1); // the window and the day before it (ForWindow)
        var allowance = Stats.ZCritical() * Math.Sqrt(campaignVariance) + 1;
        var campaignsOk = Math.Abs(c.Campaigns - expected) <= allowance;
        run.Add(new CheckResult("campaign_volume", Category, campaignsOk, c.Campaigns,
            F($"{expected:0.#} ± {allowance:0.#} campaigns (z·sd + 1 at {Stats.FalseAlarmRate})"),
            F($"Campaigns overlapping the window or its day before (a last-day touch in a US evening is the window's first UTC day): 30 + 10 per 1,000 HCPs a year ({run.C.Model.CampaignsPerYear(generated):0.#}/year) in {cfg.MaxConcurrentCampaigns} lanes of back-to-back campaigns ({cfg.CampaignMinDays}–{cfg.CampaignMaxDays} days, 0–3 days apart): the renewal expectation and variance."),
            campaignsOk ? [] : [F($"{c.Campaigns} campaigns, expected {expected:0.#}")]));
    }

    /// <summary>Touches with closed attribution windows that outcomes_per_stimulus needs to judge: four weeks, every weekday and channel.</summary>
    internal const int MinimumSettledDays = 28;

    /// <remarks><paramref name="why"/>: the threshold an informational result states, when not the HCP count's.</remarks>
    private static void Add(CheckRun run, bool informational, string name, string description, double? measured, Cell cell, string? unit = null, string? why = null)
    {
        if (informational)
        {
            run.Add(new CheckResult(name, Category, true, measured, why ?? F($"informational below {FidelityChecks.MinimumUnits} HCPs"), description,
                [F($"{cell.Label}: {cell.Observed:0.####} observed, {cell.Expected:0.####} expected")]));
            return;
        }
        run.Add(CellResults.From(name, Category, description, [cell], measured, unit));
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
