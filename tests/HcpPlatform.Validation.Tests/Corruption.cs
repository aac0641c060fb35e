using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using HcpPlatform.Testing;
using Xunit.Abstractions;

namespace HcpPlatform.Validation.Tests;

/// <summary>
/// Corrupts the development dataset inside a transaction that is rolled back, validates it as it then is, and checks
/// which checks fail. Where a corruption moves or re-links rows, the derived aggregates are recomputed afterwards (as the
/// loader would), so the dataset is wrong in that one way only.
/// </summary>
internal static class Corruption
{
    public static Task OnlyFails(DevelopmentDatasetFixture f, ITestOutputHelper output, string check, string corruption, bool recomputeAggregates = false) =>
        OnlyFail(f, output, [check], corruption, recomputeAggregates);

    /// <summary>Exactly <paramref name="checks"/> fail (a segment its tier never has is both a category error and an impossible mix).</summary>
    public static async Task OnlyFail(DevelopmentDatasetFixture f, ITestOutputHelper output, string[] checks, string corruption, bool recomputeAggregates = false)
    {
        var report = await ValidateCorruptedAsync(f, corruption, recomputeAggregates);
        var failed = report.Checks.Where(c => !c.Passed).ToList();
        foreach (var c in failed)
        {
            output.WriteLine($"{c.Name}: measured {c.Measured}, threshold {c.Threshold}; {string.Join(" | ", c.Examples)}");
        }
        Assert.All(checks, check => Assert.Contains(report.Checks, c => c.Name == check));
        Assert.Equal(checks.Order(StringComparer.Ordinal), failed.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(failed, result => Assert.NotEmpty(result.Examples));
        // What was measured: the offending rows of an exact rule, the statistic of a statistical check.
        Assert.All(failed, result => Assert.True(result.Category is IntegrityChecks.Category or StructureChecks.Category ? result.Measured > 0 : result.Measured is not null));
    }

    public static async Task<ValidationReport> ValidateCorruptedAsync(DevelopmentDatasetFixture f, string corruption, bool recomputeAggregates)
    {
        await using var connection = await f.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        try
        {
            await Sql.ExecuteAsync(connection, corruption);
            if (recomputeAggregates)
            {
                await Sql.ExecuteAsync(connection, Aggregates.UpdateChannelEngagements(DevelopmentDatasetFixture.Schema));
                await Sql.ExecuteAsync(connection, Aggregates.UpdateParticipationCounts(DevelopmentDatasetFixture.Schema));
            }
            return await DatasetValidator.RunAsync(connection, DevelopmentDatasetFixture.Schema, ValidationScope.AllButPerformance, CancellationToken.None);
        }
        finally
        {
            await tx.RollbackAsync();
        }
    }
}
