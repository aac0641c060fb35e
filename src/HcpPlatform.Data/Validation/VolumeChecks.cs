using System.Globalization;

namespace HcpPlatform.Data.Validation;

/// <summary>
/// Volumes against seeds/001's ratios, scaled to the dataset's HCPs and window:
/// <list type="bullet">
/// <item>hcp_count — exactly dataset_info.hcp_count profiles</item>
/// <item>stimuli_per_hcp_year — StimuliPerHcpYear (40) ± 10%, adjusted for the quarter-end months of a window shorter than whole years</item>
/// <item>outcomes_per_stimulus — 0.20 ± 0.02 (widened to 4 binomial standard errors for small datasets)</item>
/// <item>territory_rows_per_hcp — 1 + OverlayShare (1.25) ± 10% (widened to 4 standard errors of the overlay share for small populations)</item>
/// <item>hcps_per_primary_rep — HcpsPerRep (10) ± 10%</item>
/// <item>campaign_volume — 30 + 10 per 1,000 HCPs a year (seeds/001) over the window, ± 15% (at least ± 3). The engine runs
/// campaigns in MaxConcurrentCampaigns lanes, so a window also holds the campaigns already running at its start (one per lane)
/// and the rate saturates at lanes × 365.25 / (CampaignMinDays + 2.5) a year (14-day minimum, mean gap 1.5 days); the
/// expectation is min(rate − lanes, saturation) × years + lanes.</item>
/// </list>
/// Below 100 HCPs the ratios are too noisy to judge: those checks pass as informational, with the measured value.
/// </summary>
internal static class VolumeChecks
{
    public const string Category = "volumes";
    public const int MinimumHcps = 100;

    public static async Task RunAsync(CheckRun run)
    {
        var s = run.C.S;
        var cfg = run.C.Config;
        var counts = await run.TryQueryAsync([("hcp_count", "Row counts of the dataset tables.")], Category, $"""
            SELECT (SELECT count(*) FROM {s}.hcp_profiles),
                   (SELECT count(*) FROM {s}.stimuli_events),
                   (SELECT count(*) FROM {s}.outcome_events),
                   (SELECT count(*) FROM {s}.territory_assignments),
                   (SELECT count(DISTINCT rep_id) FROM {s}.territory_assignments WHERE is_primary),
                   (SELECT count(*) FROM {s}.campaigns)
            """, r => (Hcps: r.GetInt64(0), Stimuli: r.GetInt64(1), Outcomes: r.GetInt64(2), Territory: r.GetInt64(3), PrimaryReps: r.GetInt64(4), Campaigns: r.GetInt64(5)));
        if (counts is null)
        {
            return;
        }
        var c = counts[0];
        var declared = run.C.Info.HcpCount;
        run.Add(new CheckResult("hcp_count", Category, c.Hcps == declared, c.Hcps, $"= {declared} (dataset_info.hcp_count)",
            "The dataset holds exactly the HCPs it declares.", c.Hcps == declared ? [] : [$"{c.Hcps} profiles, {declared} declared"]));

        var informational = c.Hcps < MinimumHcps;
        var years = run.C.WindowDays / 365.25;
        var hcps = Math.Max(1, c.Hcps);

        Ratio(run, informational, "stimuli_per_hcp_year", c.Stimuli / (hcps * years), run.C.WindowStimuliPerHcpYear, 0.10,
            $"Touches per HCP-year over the {run.C.WindowDays}-day window ({c.Stimuli:N0} stimuli, {c.Hcps:N0} HCPs); {cfg.StimuliPerHcpYear:0.#} a year, adjusted for the quarter-end months in the window.");
        Ratio(run, informational, "outcomes_per_stimulus", c.Stimuli == 0 ? 0 : (double)c.Outcomes / c.Stimuli, 0.20,
            Math.Max(0.10, 4 * Math.Sqrt(0.2 * 0.8 / Math.Max(1, c.Stimuli)) / 0.20),
            $"Outcomes per stimulus ({c.Outcomes:N0} outcomes), seeds/001's ~20% response rate.");
        Ratio(run, informational, "territory_rows_per_hcp", (double)c.Territory / hcps, 1 + cfg.OverlayShare,
            Math.Max(0.10, 4 * Math.Sqrt(cfg.OverlayShare * (1 - cfg.OverlayShare) / hcps) / (1 + cfg.OverlayShare)),
            $"Territory assignment rows per HCP ({c.Territory:N0} rows): one primary plus overlays for a share of HCPs.");
        Ratio(run, informational, "hcps_per_primary_rep", c.PrimaryReps == 0 ? 0 : (double)c.Hcps / c.PrimaryReps, cfg.HcpsPerRep, 0.10,
            $"HCPs per primary rep ({c.PrimaryReps:N0} primary reps).");

        var lanes = cfg.MaxConcurrentCampaigns;
        var rate = run.C.Model.CampaignsPerYear(c.Hcps == 0 ? declared : (int)c.Hcps);
        var saturation = lanes * 365.25 / (cfg.CampaignMinDays + 2.5);
        var expected = Math.Min(Math.Max(0, rate - lanes), saturation) * years + lanes;
        var tolerance = Math.Max(0.15 * expected, 3);
        var passed = informational || Math.Abs(c.Campaigns - expected) <= tolerance;
        run.Add(new CheckResult("campaign_volume", Category, passed, c.Campaigns,
            Informational(informational, F($"{expected:0.#} ± {tolerance:0.#} campaigns")),
            F($"Campaigns overlapping the window: 30 + 10 per 1,000 HCPs a year ({rate:0.#}/year), run in {lanes} lanes (saturating at {saturation:0.#}/year), plus one running per lane at the window start."),
            passed ? [] : [F($"{c.Campaigns} campaigns, expected {expected:0.#}")]));
    }

    private static void Ratio(CheckRun run, bool informational, string name, double measured, double target, double relativeTolerance, string description)
    {
        var low = target * (1 - relativeTolerance);
        var high = target * (1 + relativeTolerance);
        var passed = informational || (measured >= low && measured <= high);
        run.Add(new CheckResult(name, Category, passed, Math.Round(measured, 4),
            Informational(informational, F($"{target:0.###} ± {relativeTolerance:0.#%} ({low:0.###}–{high:0.###})")),
            description, passed ? [] : [F($"{measured:0.####} outside {low:0.###}–{high:0.###}")]));
    }

    private static string Informational(bool informational, string threshold) =>
        informational ? $"informational below {MinimumHcps} HCPs (target {threshold})" : threshold;

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
