using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HcpPlatform.Testing;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>
/// A regeneration started through the admin API (the API as a process, held at a stage by HCP_TEST_PAUSE_AT_STAGE): a
/// second writer meanwhile is refused with 409 naming the other writer; kill -9 of the API leaves the previous dataset,
/// and the next writer marks the ownerless run abandoned and drops its build schema. (The CLI's kill -9 and Ctrl-C at
/// every stage are the CLI tests'.)
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class BackfillFaultTests(FaultFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_api_killed_mid_backfill_leaves_the_dataset_a_second_writer_is_refused_and_the_next_writer_cleans_up()
    {
        var cs = await fixture.DatasetAsync();
        var before = await DatasetProbe.FingerprintAsync(cs);
        const string LastBackfill = "SELECT status || ' ' || coalesce(error, '') FROM platform.generation_runs WHERE kind = 'backfill' ORDER BY started_at DESC LIMIT 1";

        await using (var api = ServiceProcess.Start(ServiceProcess.AdminApi, cs, new Dictionary<string, string?> { ["HCP_TEST_PAUSE_AT_STAGE"] = "generate_and_copy" }))
        {
            await api.HealthyAsync(Deadline);
            api.Http.DefaultRequestHeaders.Add("X-Api-Key", fixture.AdminKey);
            var accepted = await api.Http.PostAsJsonAsync(new Uri("/api/admin/generation/backfill", UriKind.Relative),
                new { seed = 12, hcps = 150, months = 1, asOf = "2026-02-28", confirm = "REGENERATE" });
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{accepted.StatusCode} {await accepted.Content.ReadAsStringAsync()}");
            await api.Process.WaitForLineAsync(l => l.StartsWith("paused at stage generate_and_copy", StringComparison.Ordinal), "the backfill holding the writer lock", Deadline);

            // Two writers at once: the second is refused, clearly, and changes nothing.
            var second = await api.Http.PostAsync(new Uri("/api/admin/generation/advance", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            using var problem = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
            Assert.Equal("Another writer is generating", problem.RootElement.GetProperty("title").GetString());

            await api.Process.KillAsync();
        }
        Assert.Equal(before, await DatasetProbe.FingerprintAsync(cs));
        Assert.StartsWith("running", await Sql.ScalarAsync<string>(cs, LastBackfill), StringComparison.Ordinal);
        Assert.Equal(1, await DatasetProbe.BuildSchemasAsync(cs));

        // The next writer (an advance through a new API process) finds the run ownerless: abandoned, with the reason, its schema dropped.
        await using (var api = ServiceProcess.Start(ServiceProcess.AdminApi, cs))
        {
            await api.HealthyAsync(Deadline);
            api.Http.DefaultRequestHeaders.Add("X-Api-Key", fixture.AdminKey);
            var advance = await api.Http.PostAsync(new Uri("/api/admin/generation/advance", UriKind.Relative), null);
            Assert.True(advance.StatusCode == HttpStatusCode.OK, $"{advance.StatusCode} {await advance.Content.ReadAsStringAsync()}");
        }
        Assert.StartsWith("abandoned ", await Sql.ScalarAsync<string>(cs, LastBackfill), StringComparison.Ordinal);
        Assert.Equal(0, await DatasetProbe.BuildSchemasAsync(cs));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, "SELECT count(*) FROM platform.generation_runs WHERE status = 'running'"));
        await Days.AssertEachDayExactlyOnceAndWholeAsync(cs, FaultFixture.AsOf);
    }
}
