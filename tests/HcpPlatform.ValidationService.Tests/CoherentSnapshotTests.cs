using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using HcpPlatform.Testing;

namespace HcpPlatform.ValidationService.Tests;

/// <summary>
/// "Validate and store" (<see cref="DatasetValidation"/>, which the validation service, the admin API and the CLI all use)
/// while increments keep landing: each validation sees one dataset, whole, and records the run that produced it.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class CoherentSnapshotTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Validation_during_a_stream_of_increments_reports_one_coherent_dataset()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = timeout.Token;
        var cs = await postgres.CreateMigratedDatabaseAsync(ct);
        var dataSource = DataSources.For(cs);
        await Backfill.RunAsync(dataSource, ServiceUnderTest.SmallDataset, null, ct);

        // Increments, one after another, for as long as the validations run.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var committed = new List<DateTime>();
        var increments = Task.Run(async () =>
        {
            var increment = new DailyIncrement(dataSource);
            while (!stop.IsCancellationRequested)
            {
                await increment.RunNextDayAsync(ct);
                lock (committed)
                {
                    committed.Add(DateTime.UtcNow);
                }
            }
        }, ct);

        var outcomes = new List<(ValidationOutcome Outcome, DateTime Started, DateTime Finished)>();
        for (var i = 0; i < 6; i++)
        {
            var started = DateTime.UtcNow;
            var outcome = await DatasetValidation.ValidateAndStoreAsync(dataSource, ValidationScope.AllButPerformance, DatasetValidation.ApiTrigger, ct);
            outcomes.Add((outcome, started, DateTime.UtcNow));
        }
        await stop.CancelAsync();
        await increments;

        // The validations raced the increments: days were committed while they ran.
        Assert.Contains(outcomes, o => committed.Any(c => c > o.Started && c < o.Finished));
        foreach (var (outcome, _, _) in outcomes)
        {
            var stored = outcome.Stored;
            // Every check saw the same rows (a check reading another snapshot would find events past the watermark, or
            // aggregates that disagree with the events) ...
            Assert.True(stored.Passed, string.Join("; ", stored.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Measured} ({string.Join(" | ", c.Examples)})")));
            // ... and the run recorded is the one that produced them: the increment of the day the dataset was through.
            Assert.NotNull(outcome.Dataset);
            var runDay = await Sql.ScalarAsync<DateOnly>(cs, $"SELECT as_of FROM platform.generation_runs WHERE id = '{stored.GenerationRunId}'", ct);
            Assert.Equal(outcome.Dataset.SimulatedThrough, runDay);
            Assert.Equal(stored.GenerationRunId, await Sql.ScalarAsync<Guid>(cs, $"SELECT generation_run_id FROM platform.validation_results WHERE id = '{stored.Id}'", ct));
        }
    }
}
