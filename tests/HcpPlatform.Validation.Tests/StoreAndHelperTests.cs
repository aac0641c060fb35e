using HcpPlatform.Data.Validation;
using HcpPlatform.Engine.Statistics;
using HcpPlatform.Testing;

namespace HcpPlatform.Validation.Tests;

[Collection(DevelopmentDatasetGroup.Name)]
public sealed class ValidationStoreTests(DevelopmentDatasetFixture f)
{
    [Fact]
    public async Task A_stored_report_reads_back_as_latest_and_by_id()
    {
        var report = new ValidationReport(
        [
            new CheckResult("npi_unique", "integrity", true, 0, "0 offending rows", "NPIs are unique", []),
            new CheckResult("response_rate_recovery", "fidelity", false, double.NaN, "|z| ≤ 4", "recovery", ["email/email_open/Tier 1: z = 5"]),
        ], 1234) { StartedAt = new DateTimeOffset(2026, 6, 30, 12, 0, 0, TimeSpan.Zero) };

        await using var connection = await f.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var runId = f.Backfill.RunId;
        var id = await ValidationStore.SaveAsync(connection, report, runId, "cli", CancellationToken.None, tx);
        await Sql.ExecuteAsync(connection, "UPDATE platform.validation_results SET started_at = now() + interval '1 day' WHERE id = '" + id + "'");

        var latest = await ValidationStore.LatestAsync(connection, CancellationToken.None);
        var byId = await ValidationStore.GetAsync(connection, id, CancellationToken.None);
        var missing = await ValidationStore.GetAsync(connection, Guid.Empty, CancellationToken.None);
        await tx.RollbackAsync();

        Assert.NotNull(latest);
        Assert.Equal(id, latest.Id);
        Assert.NotNull(byId);
        Assert.Null(missing);
        Assert.Equal(runId, byId.GenerationRunId);
        Assert.Equal("cli", byId.Trigger);
        Assert.Equal(1234, byId.DurationMs);
        Assert.False(byId.Passed);
        Assert.Equal(2, byId.ChecksTotal);
        Assert.Equal(1, byId.ChecksFailed);
        Assert.Equal(("npi_unique", "integrity", true, (double?)0, "0 offending rows", "NPIs are unique"),
            (byId.Checks[0].Name, byId.Checks[0].Category, byId.Checks[0].Passed, byId.Checks[0].Measured, byId.Checks[0].Threshold, byId.Checks[0].Description));
        Assert.Empty(byId.Checks[0].Examples);
        Assert.Equal("response_rate_recovery", byId.Checks[1].Name);
        Assert.True(byId.Checks[1].Measured is null || double.IsNaN(byId.Checks[1].Measured!.Value));
        Assert.Equal(["email/email_open/Tier 1: z = 5"], byId.Checks[1].Examples);
        Assert.False(byId.Report.Passed);
    }

    [Fact]
    public async Task A_trigger_longer_than_the_column_is_refused()
    {
        await using var connection = await f.OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(() =>
            ValidationStore.SaveAsync(connection, new ValidationReport([], 0), null, new string('x', 21), CancellationToken.None));
    }
}

public sealed class HelperTests
{
    [Fact]
    public void Holidays_include_observed_weekdays_and_the_new_year_observed_the_year_before()
    {
        var days = ValidationContext.HolidaysBetween(new DateOnly(2026, 1, 1), new DateOnly(2027, 12, 31));
        Assert.Contains(new DateOnly(2026, 7, 3), days);   // Independence Day on a Saturday
        Assert.Contains(new DateOnly(2026, 7, 4), days);
        Assert.Contains(new DateOnly(2026, 11, 26), days); // Thanksgiving: fourth Thursday
        Assert.Contains(new DateOnly(2026, 5, 25), days);  // Memorial Day: last Monday of May
        Assert.Contains(new DateOnly(2026, 9, 7), days);   // Labor Day: first Monday of September
        Assert.Contains(new DateOnly(2027, 12, 24), days); // Christmas on a Saturday
        Assert.Contains(new DateOnly(2027, 12, 31), days); // New Year's Day 2028 is a Saturday
        Assert.DoesNotContain(new DateOnly(2026, 12, 24), days);
        Assert.All(days.Where(d => d.Year == 2026), d => Assert.True(Engine.Calendar.UsHolidays.IsBlackout(d), d.ToString()));
    }

    [Fact]
    public void A_mix_is_judged_by_chi_square_and_reports_tv_complement()
    {
        var expected = new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 0.5 };
        var result = FidelityChecks.Categorical("tv_test", "", [("all", expected, new Dictionary<string, long> { ["a"] = 700, ["b"] = 200, ["c"] = 100 })]);
        // ½ (|0.5 − 0.7| + |0.5 − 0.2| + |0 − 0.1|) = 0.3
        Assert.Equal(0.7, result.Measured!.Value, 6);
        Assert.False(result.Passed);
        Assert.Contains(result.Examples, e => e.StartsWith("never expected: c", StringComparison.Ordinal));
        // 520 of 1,000 is within chance of a half; 600 is not; no rows at all is not a pass.
        Assert.True(FidelityChecks.Categorical("t", "", [("all", expected, new Dictionary<string, long> { ["a"] = 520, ["b"] = 480 })]).Passed);
        Assert.False(FidelityChecks.Categorical("t", "", [("all", expected, new Dictionary<string, long> { ["a"] = 600, ["b"] = 400 })]).Passed);
        Assert.False(FidelityChecks.Categorical("t", "", [("all", expected, new Dictionary<string, long>())]).Passed);
    }

    [Fact]
    public void A_cell_too_small_to_test_is_reported_not_dropped()
    {
        var result = CellResults.From("t", "fidelity", "", [new("big", 100, 100, 100, 0, 100), new("tiny", 3, 0.5, 0.5, 0, 0.5)]);
        Assert.True(result.Passed);
        Assert.Contains(result.Examples, e => e.Contains("too small to test", StringComparison.Ordinal) && e.EndsWith(": tiny", StringComparison.Ordinal));
        var none = CellResults.From("t", "fidelity", "", [new("tiny", 3, 0.5, 0.5, 0, 0.5)]);
        Assert.True(none.Passed);
        Assert.StartsWith("informational", none.Threshold, StringComparison.Ordinal);
    }
}
