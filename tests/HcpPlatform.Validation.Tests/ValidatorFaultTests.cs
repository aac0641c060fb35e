using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using HcpPlatform.Engine.Config;
using HcpPlatform.Engine.Dynamics;
using HcpPlatform.Engine.Simulation;
using HcpPlatform.Testing;
using Xunit.Abstractions;

namespace HcpPlatform.Validation.Tests;

/// <summary>
/// The validator catches a wrong generator: datasets generated through the real loader (Backfill) with one engine fault
/// switched on through the internal test seam (<see cref="EngineFault"/>; no code edited), then validated as 'hcp
/// validate' does. A fault that breaks an exact rule is refused by the loader's pre-swap validation; a statistical one
/// fails its check afterwards. The same population without a fault passes, and datasets of several seeds pass too.
/// The faults only the engine's statistical tests judge (the rep, email, congress, quarter-end and weekday calendars, month
/// edges, campaign send reach, Congress Program timing) are shown there (Engine.Tests FaultInjectionTests).
/// </summary>
[Collection(StatisticalDatasetGroup.Name)]
public sealed class ValidatorFaultTests(DevelopmentDatasetFixture f, ITestOutputHelper output)
{
    /// <summary>1,000 HCPs × 12 months: enough for every fault here to be caught with a wide margin, half the development scale's time.</summary>
    private const int Hcps = 1000;
    private const long Seed = 42;

    public static TheoryData<string, string> Faults => new()
    {
        { nameof(EngineFault.ResponseIgnoresAffinity), "response_calibration" },
        { nameof(EngineFault.VolumeIgnoresAffinity), "touch_volume_model" },
        { nameof(EngineFault.NoFatigue), "response_calibration" },
        { nameof(EngineFault.NoContentMatch), "response_calibration" },
        { nameof(EngineFault.NoLatencyFactor), "latency_by_hcp_factor" },
        { nameof(EngineFault.NoTierModifier), "response_rate_recovery" },
        { nameof(EngineFault.NoEngagementLift), "rx_engagement_lift" },
        { nameof(EngineFault.HalfEngagementLift), "rx_engagement_lift" },
        { nameof(EngineFault.NoRxSeasonality), "rx_seasonality" },
        { nameof(EngineFault.NoPhoneChannel), "channel_presence" },
        { nameof(EngineFault.WrongWebinarLead), "webinar_invite_lead" },
        { nameof(EngineFault.TouchesOnHolidays), "no_holiday_touches" },
        { nameof(EngineFault.NoTierTargeting), "touch_volume_model" },
        { nameof(EngineFault.IgnoreNoSee), "contact_limit_monthly_max" },
        { nameof(EngineFault.InactiveOverlay), "overlay_reps_active" },
        { nameof(EngineFault.UtcClock), "local_working_hours" },
        { nameof(EngineFault.NoResponseRhythm), "response_hours" },
        { nameof(EngineFault.SendsOnEves), "no_campaign_email_on_eves" },
        { nameof(EngineFault.NoBounceSuppression), "bounced_addresses_suppressed" },
        { nameof(EngineFault.FutureOutcomes), "events_in_window" },
        { nameof(EngineFault.NoCallTypeEffect), "visit_metadata_signal" },
        { nameof(EngineFault.NoReactionEffect), "visit_metadata_signal" },
        { nameof(EngineFault.NoRxCarryover), "rx_engagement_lift" },
        { nameof(EngineFault.UniformRxLift), "rx_engagement_lift" },
        { nameof(EngineFault.FlatPatientVolume), "rx_patient_volume" },
        { nameof(EngineFault.ProductByIndex), "product_consistency" },
        { nameof(EngineFault.RxOnMonthStart), "rx_hcp_months" },
    };

    private static GenerationParameters Parameters(long seed, int hcps, SimulationConfig config, int months = 12, DateOnly? asOf = null) => new()
    {
        Seed = seed, Hcps = hcps, Months = months, Scenario = "custom", AsOf = asOf ?? new DateOnly(2026, 6, 30), Parallelism = 2, Config = config,
    };

    /// <summary>Backfills and validates a dataset that must be swapped in and pass every check; its report, for more assertions.</summary>
    private async Task<ValidationReport> SwappedAndPassingAsync(GenerationParameters parameters)
    {
        var (swapped, report) = await GenerateAndValidateAsync(parameters);
        Assert.True(swapped);
        AssertPassed(report);
        return report;
    }

    /// <summary>Every check passed; the failures' names and examples otherwise.</summary>
    private static void AssertPassed(ValidationReport report) =>
        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {string.Join(" | ", c.Examples)}")));

    /// <summary>Backfills the dataset and validates it: the pre-swap report when the loader refused it, else every check but the timed ones.</summary>
    private async Task<(bool Swapped, ValidationReport Report)> GenerateAndValidateAsync(GenerationParameters parameters)
    {
        var db = await f.ScratchDatabaseAsync();
        try
        {
            await Backfill.RunAsync(DataSources.For(db), parameters, null, CancellationToken.None);
        }
        catch (ValidationFailedException e)
        {
            return (false, e.Report);
        }
        var report = await DatasetValidator.RunAsync(DataSources.For(db), DevelopmentDatasetFixture.Schema, ValidationScope.AllButPerformance, 2, CancellationToken.None);
        foreach (var c in report.Checks.Where(c => !c.Passed || c.Category is "volumes" or "fidelity"))
        {
            output.WriteLine($"{c.Name,-30} {(c.Passed ? "pass" : "FAIL")} {c.Measured} {c.Threshold} {string.Join(" | ", c.Examples.Take(2))}");
        }
        return (true, report);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task The_validator_catches_the_fault(string fault, string check)
    {
        // Rx written on a month's first day differs from Rx written on its last only while the month is running: that fault is
        // generated to a mid-month as-of day (at a month's end both write the same rows).
        DateOnly? asOf = fault == nameof(EngineFault.RxOnMonthStart) ? new DateOnly(2026, 6, 16) : null;
        // Fatigue is a small effect (−0.04 log-odds a touch earlier in the month; about −18% at the fifth touch): at 1,000 HCPs
        // its cells sit about 3.5 sd from the model without it, short of the 4.4 sd threshold, so that fault gets 3,000.
        var hcps = fault == nameof(EngineFault.NoFatigue) ? 3 * Hcps : Hcps;
        var (swapped, report) = await GenerateAndValidateAsync(Parameters(Seed, hcps, new SimulationConfig { Faults = Enum.Parse<EngineFault>(fault) }, asOf: asOf));
        Assert.Contains(check, report.Checks.Where(c => !c.Passed).Select(c => c.Name));
        // An exact rule stops the dataset before the swap; a statistical finding is reported after it.
        Assert.Equal(report[check]!.Category is not (IntegrityChecks.Category or StructureChecks.Category), swapped);
    }

    [Fact]
    public async Task The_same_population_without_a_fault_passes()
    {
        await SwappedAndPassingAsync(Parameters(Seed, Hcps, new SimulationConfig()));
    }

    [Theory]
    [InlineData(1, 12, "2026-06-30")]
    [InlineData(2, 12, "2026-05-17")]
    [InlineData(3, 3, "2026-06-30")]
    [InlineData(4, 3, "2026-05-17")]
    [InlineData(5, 1, "2026-06-30")]
    [InlineData(6, 2, "2026-01-09")]
    public async Task A_correct_small_dataset_passes_whatever_its_seed_and_window(long seed, int months, string asOf)
    {
        await SwappedAndPassingAsync(Parameters(seed, 300, new SimulationConfig(), months,
            DateOnly.ParseExact(asOf, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_one_month_window_opening_on_a_Sunday_after_a_campaigns_last_evening_is_swapped_and_passes()
    {
        // Seed 42 at 2,000 HCPs through 2026-03-31: a campaign ending 2026-02-28 has a touch on 2026-03-01 in UTC (a US
        // evening), which the campaigns table must hold (the load failed on its foreign key); and the touches whose
        // attribution windows have closed are that Sunday's digital ads alone, too few to judge outcomes per stimulus on
        // (it failed: 0 observed, 0.09 expected).
        var report = await SwappedAndPassingAsync(Parameters(Seed, 2000, new SimulationConfig(), 1, new DateOnly(2026, 3, 31)));
        Assert.StartsWith("informational: 1 day of touches", report.Checks.Single(c => c.Name == "outcomes_per_stimulus").Threshold, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_ending_on_a_Christmas_weekend_after_increments_passes()
    {
        // Seed 12 at 2,000 HCPs, three months through 2025-12-25, then three days: the window opens on a Friday and ends on
        // the Sunday after Christmas. Email, phone and ad touches follow their months' weekday weights, holidays skipped; the
        // expected volume had spread each month evenly over its days and failed stimuli_per_hcp_year (9.78 observed per HCP,
        // 10.29 expected ± 0.41).
        var db = await f.ScratchDatabaseAsync();
        await Backfill.RunAsync(DataSources.For(db), Parameters(12, 2000, new SimulationConfig(), 3, new DateOnly(2025, 12, 25)), null, CancellationToken.None);
        var increment = new DailyIncrement(DataSources.For(db));
        for (var d = 0; d < 3; d++)
        {
            Assert.NotNull(await increment.RunNextDayAsync(CancellationToken.None));
        }
        var report = await DatasetValidator.RunAsync(DataSources.For(db), DevelopmentDatasetFixture.Schema, ValidationScope.AllButPerformance, 2, CancellationToken.None);
        AssertPassed(report);
    }

    [Fact]
    public async Task A_one_month_window_of_a_leap_February_passes()
    {
        // Seed 9 at 5,000 HCPs, one month through 2024-02-29: email, phone, webinar and ad volume is budgeted per month, a
        // twelfth of a year whatever the month's length, so February's 29 days hold a month's touches; the expected volume had
        // been a daily rate and failed stimuli_per_hcp_year (3.43 touches per HCP observed, 3.20 expected ± 0.14; now 3.39).
        await SwappedAndPassingAsync(Parameters(9, 5000, new SimulationConfig(), 1, new DateOnly(2024, 2, 29)));
    }

    [Fact]
    public async Task A_one_month_window_of_20000_HCPs_holds_its_months_webinar_invitation_days()
    {
        // Seed 42 at 20,000 HCPs, one month through 2026-11-01: webinar invitations go out on a month's invitation days (a
        // weekly webinar's day less 14 days), and October's first, on the 1st, lies before the window: it holds four fifths of
        // October's invitations, not 30/31. channel_presence had failed (webinar 0.0272 observed, 0.0339 expected ± 0.0052).
        await SwappedAndPassingAsync(Parameters(Seed, 20000, new SimulationConfig(), 1, new DateOnly(2026, 11, 1)));
    }

    [Fact]
    public async Task A_month_of_50_HCPs_whose_few_rep_visits_all_go_to_Tier_1_passes()
    {
        // Seed 12 at 50 HCPs, one month through 2026-11-01: all 9 rep visits went to Tier 1, which expects 6.1 of them; the 2.9
        // expected elsewhere are too few to judge the share on (touch_volume_model had failed: 1.0 observed, 0.68 expected).
        await SwappedAndPassingAsync(Parameters(12, 50, new SimulationConfig(), 1, new DateOnly(2026, 11, 1)));
    }

    [Fact]
    public async Task A_correct_dataset_with_every_kind_of_scenario_event_passes()
    {
        // The volume and mix checks leave the events' days out; the response checks model the fatigue.
        var config = new SimulationConfig
        {
            Events =
            [
                new() { Type = ScenarioEvent.ProductLaunch, Start = new DateOnly(2026, 2, 2), End = new DateOnly(2026, 3, 6), Magnitude = 1, Product = "Orbelza" },
                new() { Type = ScenarioEvent.EmailFatigue, Start = new DateOnly(2026, 3, 9), End = new DateOnly(2026, 4, 10), Magnitude = 0.6 },
                new() { Type = ScenarioEvent.TerritoryChange, Start = new DateOnly(2026, 4, 13), Magnitude = 0.5 },
                new() { Type = ScenarioEvent.SeasonalDip, Start = new DateOnly(2025, 12, 15), End = new DateOnly(2026, 1, 9), Magnitude = 0.5 },
            ],
        };
        await SwappedAndPassingAsync(Parameters(Seed, Hcps, config));
    }

    [Fact]
    public async Task A_failed_pre_swap_check_leaves_the_previous_dataset_and_no_build_schema()
    {
        var db = await f.ScratchDatabaseAsync();
        await Backfill.RunAsync(DataSources.For(db), Parameters(11, 200, new SimulationConfig(), 2), null, CancellationToken.None);
        var before = await DatasetProbe.FingerprintAsync(db);

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            Backfill.RunAsync(DataSources.For(db), Parameters(12, 250, new SimulationConfig { Faults = EngineFault.TouchesOnHolidays }, 3), null, CancellationToken.None));

        Assert.Contains("no_holiday_touches", refused.Report.Checks.Where(c => !c.Passed).Select(c => c.Name));
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(db));
        Assert.Equal(0, await DatasetProbe.BuildSchemasAsync(db));
        var run = await Sql.ListAsync(db, "SELECT status, verdict, error FROM platform.generation_runs WHERE kind = 'backfill' ORDER BY started_at DESC LIMIT 1",
            r => (Status: r.GetString(0), Verdict: r.GetString(1), Error: r.GetString(2)));
        Assert.Equal(("failed", "failed"), (run[0].Status, run[0].Verdict));
        Assert.Contains("no_holiday_touches", run[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dataset_true_to_its_ground_truth_but_off_the_specs_response_ratio_fails_outcomes_per_stimulus_alone()
    {
        // Generated with ResponseScale 1.5 (every response's odds × 1.5) while declaring the default OutcomesPerStimulus: the
        // stored ground truth says so, so every response check passes; only the declared response ratio is missed.
        var (swapped, report) = await GenerateAndValidateAsync(Parameters(Seed, Hcps, new SimulationConfig { ResponseScale = 1.5 }));
        Assert.True(swapped);
        Assert.Equal(["outcomes_per_stimulus"], report.Checks.Where(c => !c.Passed).Select(c => c.Name));
    }

    /// <summary>
    /// Faults the engine's statistical tests catch and the validator does not here: the calendar patterns it has no check
    /// for, and the segments' Rx responsiveness, whose segment cells (rx_engagement_lift) have too little power at 1,000 HCPs
    /// (a segment's whole lift is a few percent of its Rx; the engine's rx_lift_by_segment takes the rows where it shows).
    /// </summary>
    private static readonly EngineFault[] EngineTestsOnly =
        [EngineFault.NoRepCityDay, EngineFault.NoEmailBatches, EngineFault.ConferenceOffCongress, EngineFault.NoQuarterEndPush, EngineFault.NoWeekdayWeighting,
         EngineFault.MonthEdgeMargins, EngineFault.CampaignSendsByBudget, EngineFault.CongressProgramsUntimed, EngineFault.NoSegmentRxLift];

    [Fact]
    public void Every_fault_is_either_caught_here_or_left_to_the_engine_tests_by_name() =>
        Assert.Equal(Enum.GetValues<EngineFault>().Where(x => x != EngineFault.None).Order(),
            Faults.Select(row => Enum.Parse<EngineFault>((string)row[0])).Concat(EngineTestsOnly).Order());
}
