using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HcpPlatform.Data.Postgres;
using HcpPlatform.Testing;

namespace HcpPlatform.ValidationService.Tests;

/// <summary>
/// Issue 8 item 5: the platform without Aspire, as separate processes on one database: the migration worker runs to
/// completion, then the generator, the validation service and the admin API start, and a full cycle is driven through
/// the admin API: a backfill, two accelerated simulated days, and the validations that follow them.
/// </summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class PlatformProcessTests(PostgresFixture postgres)
{
    private const string AdminKey = "process-tests-admin-key-0123456789abcdefghij";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task BackfillTwoAcceleratedDaysAndValidationThroughTheAdminApi()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        var connectionString = await postgres.CreateDatabaseAsync(ct: ct);

        await using (var migrations = ServiceProcess.Start("HcpPlatform.MigrationService", connectionString, null))
        {
            var exit = await migrations.WaitForExitAsync();
            Assert.True(exit.ExitCode == 0, exit.Output);
        }

        await using var generator = ServiceProcess.Start("HcpPlatform.Generator", connectionString, LocalPorts.FindFree());
        // The timed query checks are left out: this test judges correctness; timings are bench/'s business.
        await using var validation = ServiceProcess.Start("HcpPlatform.ValidationService", connectionString, LocalPorts.FindFree(),
            ("Validation__PollInterval", "00:00:05"), ("Validation__ScheduleInterval", "00:00:00"), ("Validation__Scope", "AllButPerformance"));
        await using var admin = ServiceProcess.Start("HcpPlatform.AdminApi", connectionString, LocalPorts.FindFree(),
            ("AdminApi__BootstrapKey", AdminKey));
        await Task.WhenAll(generator.WaitHealthyAsync(Deadline, ct), validation.WaitHealthyAsync(Deadline, ct), admin.WaitHealthyAsync(Deadline, ct));
        admin.Client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);

        // 1. Backfill through the admin API.
        var dataset = ServiceUnderTest.SmallDataset;
        using var accepted = await admin.Client.PostAsJsonAsync(new Uri("/api/admin/generation/backfill", UriKind.Relative), new
        {
            seed = dataset.Seed,
            hcps = dataset.Hcps,
            months = dataset.Months,
            asOf = dataset.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            confirm = "REGENERATE",
        }, ct);
        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, await accepted.Content.ReadAsStringAsync(ct));
        var backfillRun = (await accepted.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("runId").GetGuid();
        var status = await Poll.ValueAsync(async () =>
        {
            var run = await admin.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/admin/runs/{backfillRun}", UriKind.Relative), ct);
            return run.GetProperty("status").GetString() is var s && s != "running" ? s : null;
        }, "the backfill to end", Deadline, ct);
        Assert.Equal("succeeded", status);

        // 2. Two accelerated simulated days: start, wait for the watermark to move two days, stop.
        using (var started = await admin.Client.PostAsJsonAsync(new Uri("/api/admin/generation/start", UriKind.Relative),
            new { secondsPerSimulatedDay = 0.5 }, ct))
        {
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync(ct));
        }
        var target = dataset.AsOf.AddDays(2);
        await Poll.ValueAsync(async () =>
        {
            var counts = await admin.Client.GetFromJsonAsync<JsonElement>(new Uri("/api/admin/data/counts", UriKind.Relative), ct);
            var through = counts.GetProperty("simulatedThrough");
            return through.ValueKind == JsonValueKind.String && DateOnly.Parse(through.GetString()!, CultureInfo.InvariantCulture) >= target ? "done" : null;
        }, "two accelerated days", Deadline, ct);
        using (var stopped = await admin.Client.PostAsync(new Uri("/api/admin/generation/stop", UriKind.Relative), null, ct))
        {
            Assert.True(stopped.IsSuccessStatusCode, await stopped.Content.ReadAsStringAsync(ct));
        }

        // 3. Validation: the validation service stores a validation of the newest increment (the generator may finish
        //    the day in progress after the stop, so "newest" is re-read each time), visible through the admin API too.
        var validated = await Poll.ValueAsync(async () =>
        {
            var newest = await NewestIncrementAsync(connectionString, ct);
            using var response = await admin.Client.GetAsync(new Uri("/api/admin/validation/latest", UriKind.Relative), ct);
            if (newest is null || !response.IsSuccessStatusCode)
            {
                return null;
            }
            var latest = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return latest.TryGetProperty("generationRunId", out var run) && run.ValueKind == JsonValueKind.String && run.GetGuid() == newest
                ? latest.GetRawText()
                : null;
        }, "a validation of the newest increment", Deadline, ct);
        using var verdict = JsonDocument.Parse(validated);
        Assert.Equal("increment", verdict.RootElement.GetProperty("trigger").GetString());
        Assert.True(verdict.RootElement.GetProperty("passed").GetBoolean(), validated);
        Assert.True(await CountAsync(connectionString, "SELECT count(*) FROM platform.generation_runs WHERE kind = 'increment' AND status = 'succeeded'", ct) >= 2);
        Assert.True(await CountAsync(connectionString, "SELECT count(*) FROM platform.validation_results WHERE trigger = 'backfill'", ct) >= 1);
    }

    private static async Task<Guid?> NewestIncrementAsync(string connectionString, CancellationToken ct) =>
        (await Sql.ListAsync(connectionString,
            "SELECT id FROM platform.generation_runs WHERE kind = 'increment' AND status = 'succeeded' ORDER BY started_at DESC, id DESC LIMIT 1",
            r => r.GetGuid(0), ct)).Select(g => (Guid?)g).FirstOrDefault();

    private static Task<long> CountAsync(string connectionString, string sql, CancellationToken ct) => Sql.ScalarAsync<long>(connectionString, sql, ct);

    /// <summary>One of the platform's programs, built next to this test project, run with <c>dotnet</c> in its output directory.</summary>
    private sealed class ServiceProcess(TestProcess process, int? port) : IAsyncDisposable
    {
        public HttpClient Client { get; } = new() { BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port ?? 0}")) };

        public static ServiceProcess Start(string project, string connectionString, int? port, params (string Name, string Value)[] environment)
        {
            var all = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["ConnectionStrings__hcpdb"] = connectionString,
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
            };
            if (port is { } p)
            {
                all["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{p}");
            }
            foreach (var (name, value) in environment)
            {
                all[name] = value;
            }
            return new ServiceProcess(TestProcess.StartDotnet(project, [], all, inItsDirectory: true), port);
        }

        public Task<ProcessRun> WaitForExitAsync() => process.WaitForExitAsync(Deadline);

        /// <summary>Polls GET /health until it answers 200; fails with the program's output otherwise.</summary>
        public async Task WaitHealthyAsync(TimeSpan deadline, CancellationToken ct)
        {
            try
            {
                await Poll.UntilAsync(async () =>
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException("The program exited.");
                    }
                    try
                    {
                        using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative), ct);
                        return response.StatusCode == HttpStatusCode.OK;
                    }
                    catch (HttpRequestException)
                    {
                        return false; // not listening yet
                    }
                }, "GET /health to answer 200", deadline, ct);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                Assert.Fail($"The program did not become healthy ({e.Message}):{Environment.NewLine}{process.Stdout}{process.Stderr}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await process.DisposeAsync();
        }
    }
}
