using System.Net;
using System.Text.Json;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Testing;

namespace HcpPlatform.ValidationService.Tests;

[Collection(PostgresFixture.CollectionName)]
public sealed class ValidationServiceTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task ValidatesAfterBackfillAndIncrementByNotificationAndOnDemand()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var connectionString = await postgres.CreateMigratedDatabaseAsync(ct);
        // Polling is off (1 h): only the NOTIFY after the backfill and after the increment can trigger these.
        await using var service = ServiceUnderTest.Start(connectionString);
        Assert.Null(await service.LatestAsync());

        var backfill = await Backfill.RunAsync(DataSources.For(connectionString), ServiceUnderTest.SmallDataset, null, ct);
        var afterBackfill = await service.WaitForValidationAsync(v => v.GenerationRunId == backfill.RunId, Deadline, "of the backfill");
        Assert.Equal("backfill", afterBackfill.Trigger);
        Assert.True(afterBackfill.Passed, ServiceUnderTest.FailedChecks(afterBackfill));
        Assert.Equal(afterBackfill.Checks.Count, afterBackfill.ChecksTotal);
        Assert.Contains(afterBackfill.Checks, c => c.Category == "fidelity");

        var increment = await new DailyIncrement(DataSources.For(connectionString)).RunNextDayAsync(ct);
        Assert.NotNull(increment);
        var afterIncrement = await service.WaitForValidationAsync(v => v.GenerationRunId == increment.RunId, Deadline, "of the increment");
        Assert.Equal("increment", afterIncrement.Trigger);
        Assert.True(afterIncrement.Passed, ServiceUnderTest.FailedChecks(afterIncrement));

        // On demand: validates now, answers with the result, records the run whose dataset it saw.
        using var posted = await service.Client.PostAsync(new Uri("/validations", UriKind.Relative), null, ct);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var onDemand = await ServiceUnderTest.Read(posted);
        Assert.Equal("api", onDemand.Trigger);
        Assert.Equal(increment.RunId, onDemand.GenerationRunId);
        Assert.True(onDemand.Passed, ServiceUnderTest.FailedChecks(onDemand));

        var byId = await ServiceUnderTest.Read(await service.Client.GetAsync(new Uri($"/validations/{afterBackfill.Id}", UriKind.Relative), ct));
        Assert.Equal(afterBackfill.Id, byId.Id);
        Assert.Equal("backfill", byId.Trigger);
        Assert.Equal(afterBackfill.ChecksTotal, byId.Checks.Count);
        Assert.Equal(onDemand.Id, (await service.LatestAsync())!.Id);
    }

    [Fact]
    public async Task PollingFallbackValidatesChangesWithoutNotifications()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var connectionString = await postgres.CreateMigratedDatabaseAsync(ct);
        // A backfill made while the service was not running: validated when it starts.
        var backfill = await Backfill.RunAsync(DataSources.For(connectionString), ServiceUnderTest.SmallDataset, null, ct);

        await using var service = ServiceUnderTest.Start(connectionString, new Dictionary<string, string>
        {
            ["Validation:Listen"] = "false",
            ["Validation:PollInterval"] = "00:00:00.200",
        });
        var caughtUp = await service.WaitForValidationAsync(v => v.GenerationRunId == backfill.RunId, Deadline, "of the earlier backfill");
        Assert.Equal("backfill", caughtUp.Trigger);

        var increment = await new DailyIncrement(DataSources.For(connectionString)).RunNextDayAsync(ct);
        var polled = await service.WaitForValidationAsync(v => v.GenerationRunId == increment!.RunId, Deadline, "of the increment, found by polling");
        Assert.Equal("increment", polled.Trigger);
    }

    [Fact]
    public async Task EndpointsAnswerWithProblemDetailsAndPostValidatesOnDemand()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        await using var service = ServiceUnderTest.Start(connectionString);
        var client = service.Client;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);

        await AssertProblemAsync(await client.GetAsync(new Uri("/validations/latest", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync(new Uri($"/validations/{Guid.NewGuid()}", UriKind.Relative)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync(new Uri("/validations/not-an-id", UriKind.Relative)), HttpStatusCode.BadRequest);

        // No dataset yet: the validation runs, fails on its first check, and is stored all the same.
        using var posted = await client.PostAsync(new Uri("/validations", UriKind.Relative), null);
        var result = await ServiceUnderTest.Read(posted);
        Assert.Equal("api", result.Trigger);
        Assert.Null(result.GenerationRunId);
        Assert.False(result.Passed);
        Assert.Equal(1, result.ChecksFailed);
        Assert.Equal("dataset_described", Assert.Single(result.Checks).Name);

        var stored = await ServiceUnderTest.Read(await client.GetAsync(new Uri($"/validations/{result.Id}", UriKind.Relative)));
        Assert.Equal(result with { Checks = stored.Checks, StartedAt = stored.StartedAt }, stored);
        Assert.Equal(result.Id, (await service.LatestAsync())!.Id);
    }

    [Fact]
    public async Task A_service_run_on_its_own_migrates_at_start_through_Database_MigrateOnStart_and_not_without_it()
    {
        var migrated = await postgres.CreateDatabaseAsync();
        await using (var service = ServiceUnderTest.Start(migrated, new Dictionary<string, string> { ["Database:MigrateOnStart"] = "true" }))
        {
            Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        }
        Assert.Equal(MigrationScript.LoadEmbedded().Count, await Sql.ScalarAsync<int>(migrated, "SELECT count(*) FROM platform.schema_migrations"));

        // As under Aspire, where the migration worker alone migrates: the service leaves the database as it is.
        var untouched = await postgres.CreateDatabaseAsync();
        await using (var service = ServiceUnderTest.Start(untouched, new Dictionary<string, string> { ["Database:MigrateOnStart"] = "false" }))
        {
            Assert.Equal(HttpStatusCode.OK, (await service.Client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
        }
        Assert.False(await Sql.ScalarAsync<bool>(untouched, "SELECT to_regclass('platform.schema_migrations') IS NOT NULL"));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal((int)expected, problem.RootElement.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("title").GetString()));
        }
    }
}
