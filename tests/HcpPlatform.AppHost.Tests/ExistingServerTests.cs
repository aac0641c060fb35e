using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.AppHost.Tests;

/// <summary>
/// The whole platform started by the AppHost in existing-Postgres mode (no container, so no Docker): the migration
/// worker migrates the empty database and exits 0, the HTTP services become healthy, and a backfill requested through
/// the admin API lands rows, which the validation service then validates.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class ExistingServerTests(PostgresFixture postgres)
{
    /// <summary>The admin API's bootstrap key for this run (the AppHost's "admin-key" parameter; ≥ 32 characters).</summary>
    private const string AdminKey = "apphost-tests-admin-key-0123456789abcdefghij";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan WorkTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task PlatformStartsOnAnExistingServerMigratesAndBackfillsThroughTheAdminApi()
    {
        using var timeout = new CancellationTokenSource(StartTimeout + WorkTimeout);
        var ct = timeout.Token;
        var connectionString = await postgres.CreateDatabaseAsync(ct: ct);

        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HcpPlatform_AppHost>(
        [
            "PostgresMode=existing",
            $"ConnectionStrings:hcpdb={connectionString}",
            $"Parameters:admin-key={AdminKey}",
        ], ct);
        Assert.DoesNotContain(appHost.Resources, r => r is ContainerResource);

        await using var app = await appHost.BuildAsync(ct).WaitAsync(StartTimeout, ct);
        await app.StartAsync(ct).WaitAsync(StartTimeout, ct);

        // The migration worker runs to completion with exit code 0 and leaves a migrated database.
        var migrations = await app.ResourceNotifications.WaitForResourceAsync("migrations",
            e => e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), ct).WaitAsync(StartTimeout, ct);
        Assert.Equal(0, migrations.Snapshot.ExitCode);
        Assert.True(await Poll.ScalarAsync(connectionString, "SELECT count(*) FROM platform.schema_migrations") > 0);

        // The admin API (and the other HTTP services) pass their health checks.
        await app.ResourceNotifications.WaitForResourceHealthyAsync("admin", ct).WaitAsync(StartTimeout, ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("validation", ct).WaitAsync(StartTimeout, ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("generator", ct).WaitAsync(StartTimeout, ct);
        using var admin = app.CreateHttpClient("admin");
        admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(new Uri("/health", UriKind.Relative), ct)).StatusCode);

        // A backfill through the API: 202 with the run, which is polled until it succeeds.
        using var accepted = await admin.PostAsJsonAsync(new Uri("/api/admin/generation/backfill", UriKind.Relative), new
        {
            seed = 1,
            hcps = 300,
            months = 2,
            asOf = "2025-03-31",
            confirm = "REGENERATE",
        }, ct);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync(ct));
        using var acceptedBody = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(ct));
        var runId = acceptedBody.RootElement.GetProperty("runId").GetGuid();

        var status = await Poll.UntilAsync(async () =>
        {
            using var run = JsonDocument.Parse(await admin.GetStringAsync(new Uri($"/api/admin/runs/{runId}", UriKind.Relative), ct));
            var s = run.RootElement.GetProperty("status").GetString();
            return s is "running" ? null : s;
        }, WorkTimeout, "the backfill run", ct);
        Assert.Equal("succeeded", status);

        // The rows landed.
        using (var counts = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/api/admin/data/counts", UriKind.Relative), ct)))
        {
            Assert.Equal(300, counts.RootElement.GetProperty("tables").GetProperty("hcp_profiles").GetInt64());
            Assert.True(counts.RootElement.GetProperty("tables").GetProperty("stimuli_events").GetInt64() > 0);
        }
        Assert.Equal(300, await Poll.ScalarAsync(connectionString, "SELECT count(*) FROM hcp.hcp_profiles"));

        // The validation service noticed the change (NOTIFY hcp_dataset_changed) and validated that run.
        using var validation = app.CreateHttpClient("validation");
        var trigger = await Poll.UntilAsync(async () =>
        {
            using var response = await validation.GetAsync(new Uri("/validations/latest", UriKind.Relative), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            using var latest = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return latest.RootElement.GetProperty("generationRunId").ValueKind == JsonValueKind.String
                && latest.RootElement.GetProperty("generationRunId").GetGuid() == runId
                ? latest.RootElement.GetProperty("trigger").GetString()
                : null;
        }, WorkTimeout, "the validation of the backfill", ct);
        Assert.Equal("backfill", trigger);
    }
}
