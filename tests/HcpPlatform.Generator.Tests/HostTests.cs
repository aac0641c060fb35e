using HcpPlatform.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Quartz;
using static HcpPlatform.Generator.Tests.Kit;

namespace HcpPlatform.Generator.Tests;

/// <summary>The whole worker (its Program.cs: web host, Quartz, LISTEN/NOTIFY, heartbeat) against a real PostgreSQL.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class HostTests(PostgresFixture postgres)
{
    private static readonly DateOnly T = new(2026, 3, 30);

    /// <summary>How long a change of the desired state may take to show (the worker reacts within a second; CI is slow).</summary>
    private static readonly TimeSpan Reaction = TimeSpan.FromSeconds(5);

    private static ServiceHost<Program> Start(string connectionString, string workerId, TimeProvider? clock = null)
    {
        var app = Worker(connectionString, workerId, clock);
        _ = app.Host; // started
        return app;
    }

    /// <summary>The observed columns the worker writes into platform.simulation_state.</summary>
    private static async Task<(string? Mode, string? Worker, DateTime? Heartbeat, double? Seconds)> ObservedAsync(string cs) =>
        (await Sql.ListAsync(cs, "SELECT observed_mode, worker_id, heartbeat_at, observed_seconds_per_simulated_day FROM platform.simulation_state",
            r => (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? (DateTime?)null : r.GetDateTime(2),
                r.IsDBNull(3) ? (double?)null : r.GetDouble(3))))[0];

    /// <summary>Waits until the worker has written <paramref name="beats"/> more heartbeats: it has looked at the state that many times.</summary>
    private static async Task HeartbeatsAsync(string cs, int beats)
    {
        var seen = new HashSet<DateTime>();
        await Poll.UntilAsync(async () =>
        {
            if ((await ObservedAsync(cs)).Heartbeat is { } h)
            {
                seen.Add(h);
            }
            return seen.Count > beats;
        }, $"{beats} heartbeats", Deadline);
    }

    [Fact]
    public async Task Accelerated_play_runs_while_running_and_a_pause_stops_it()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "paused", 0.1);
        await using var app = Start(cs, "h1");

        // Paused: the worker watches and generates nothing.
        await Poll.UntilAsync(async () => (await ObservedAsync(cs)) is { Mode: "paused", Worker: "h1" }, "the worker reports paused", Deadline);
        await HeartbeatsAsync(cs, 3);
        Assert.Equal(T, await WatermarkAsync(cs));
        Assert.Empty(await IncrementsAsync(cs));

        // Resumed: days flow (within the reaction deadline), one every 0.1 s.
        await SetStateAsync(cs, "running", 0.1);
        await Poll.UntilAsync(async () => await WatermarkAsync(cs) > T, "the first accelerated day", Reaction);
        await Poll.UntilAsync(async () => await WatermarkAsync(cs) >= T.AddDays(5), "five accelerated days", Deadline);
        Assert.Equal(0.1, (await ObservedAsync(cs)).Seconds);

        // Paused again: the day in progress finishes, then nothing more.
        await SetStateAsync(cs, "paused", 0.1);
        await Poll.UntilAsync(async () => (await ObservedAsync(cs)).Mode == "paused", "the worker reports paused", Reaction);
        var pausedAt = await WatermarkAsync(cs);
        await HeartbeatsAsync(cs, 3);
        Assert.Equal(pausedAt, await WatermarkAsync(cs));
        await RunnerTests.AssertEachDayExactlyOnceAsync(cs, T, pausedAt);
        await app.Host.StopAsync();
    }

    [Fact]
    public async Task Two_workers_in_accelerated_play_produce_each_day_once()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running", 0.05);
        await using var a = Start(cs, "a");
        await using var b = Start(cs, "b");

        await Poll.UntilAsync(async () => await WatermarkAsync(cs) >= T.AddDays(8), "eight accelerated days", Deadline);
        await SetStateAsync(cs, "stopped");
        await Poll.UntilAsync(async () => (await ObservedAsync(cs)).Mode == "stopped", "both workers stopped", Reaction);
        await Task.WhenAll(a.Host.StopAsync(), b.Host.StopAsync());

        await RunnerTests.AssertEachDayExactlyOnceAsync(cs, T, await WatermarkAsync(cs));
    }

    [Fact]
    public async Task Stopping_the_worker_mid_increment_rolls_the_day_back_and_a_restart_continues()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running", 0.1);

        await using (var blocker = await RunnerTests.BlockLineageAsync(cs))
        {
            await using var app = Start(cs, "h1");
            await RunnerTests.WaitUntilBlockedAsync(cs, "h1");
            // Graceful shutdown while the day's rows are written but not committed.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await app.Host.StopAsync(timeout.Token);
        }
        Assert.Equal(T, await WatermarkAsync(cs));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(cs, $"SELECT count(*) FROM hcp.stimuli_events WHERE event_date >= '{Iso(T.AddDays(1))}T00:00:00Z'"));
        Assert.Empty(await IncrementsAsync(cs));

        await using (var restarted = Start(cs, "h1-restarted"))
        {
            await Poll.UntilAsync(async () => await WatermarkAsync(cs) >= T.AddDays(3), "three days after the restart", Deadline);
            await SetStateAsync(cs, "paused", 0.1);
            await Poll.UntilAsync(async () => (await ObservedAsync(cs)).Mode == "paused", "the worker reports paused", Reaction);
            await restarted.Host.StopAsync();
        }
        await RunnerTests.AssertEachDayExactlyOnceAsync(cs, T, await WatermarkAsync(cs));
    }

    [Fact]
    public async Task Starting_in_nightly_mode_catches_up_at_once_and_follows_the_stored_schedule()
    {
        var cs = await DatasetAsync(postgres, T);
        await SetStateAsync(cs, "running", configJson: """{"schedule": {"cron": "0 30 3 * * ?", "timeZone": "America/New_York"}}""");
        await using var app = Start(cs, "h1", ManualClock.At(T.AddDays(3)));

        await Poll.UntilAsync(async () => await WatermarkAsync(cs) == T.AddDays(3), "the missed days caught up", Deadline);
        await HeartbeatsAsync(cs, 3);
        Assert.Equal([(T.AddDays(1), "succeeded"), (T.AddDays(2), "succeeded"), (T.AddDays(3), "succeeded")], await IncrementsAsync(cs));

        // The nightly trigger follows the schedule stored by the admin API.
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await Poll.UntilAsync(async () => await scheduler.GetTrigger(DailyIncrementJob.NightlyTrigger) is ICronTrigger
        {
            CronExpressionString: "0 30 3 * * ?", TimeZone.Id: "America/New_York",
        }, "the nightly trigger re-timed", Deadline);

        using var http = app.CreateClient();
        var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        await app.Host.StopAsync();
    }

    [Fact]
    public async Task A_stored_schedule_that_never_fires_makes_the_worker_unhealthy_with_the_reason_in_the_status()
    {
        var cs = await DatasetAsync(postgres, T);
        // Written past the admin API (which refuses it), as an older version or a hand edit could have.
        await SetStateAsync(cs, "running", configJson: """{"schedule": {"cron": "0 0 2 * * ? 2020", "timeZone": "UTC"}}""");
        await using var app = Start(cs, "h1", ManualClock.At(T));

        await Poll.UntilAsync(async () => await Sql.ScalarAsync<string?>(cs, "SELECT last_error FROM platform.simulation_state") is { } e
            && e.Contains("never fires", StringComparison.Ordinal), "the reason in the status", Deadline);
        // The worker keeps watching (heartbeats go on) and keeps the schedule it had.
        await HeartbeatsAsync(cs, 3);
        var scheduler = await app.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        Assert.Equal("0 0 2 * * ?", (await scheduler.GetTrigger(DailyIncrementJob.NightlyTrigger) as ICronTrigger)?.CronExpressionString);

        using var http = app.CreateClient();
        var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
        var body = await health.Content.ReadAsStringAsync();
        Assert.StartsWith("Unhealthy\n", body, StringComparison.Ordinal);
        Assert.Contains("generator: Unhealthy: ", body, StringComparison.Ordinal);
        Assert.Contains("never fires", body, StringComparison.Ordinal);
        var check = await app.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Contains("never fires", check.Entries[GeneratorHealthCheck.Name].Description, StringComparison.Ordinal);

        // A usable schedule heals it.
        await SetStateAsync(cs, "running", configJson: """{"schedule": {"cron": "0 30 3 * * ?", "timeZone": "UTC"}}""");
        await Poll.UntilAsync(async () => (await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode, "healthy again", Deadline);
        await app.Host.StopAsync();
    }

    [Theory]
    [InlineData("0 0 0 30 2 ?", "never fires")]
    [InlineData("* * * * * ?", "more than once a minute")]
    public async Task A_configured_cron_the_trigger_could_not_use_stops_the_worker_at_start(string cron, string reason)
    {
        await using var app = new ServiceHost<Program>("Host=127.0.0.1;Port=1;Database=none;Username=none", new Dictionary<string, string?>
        {
            ["Generator:Cron"] = cron,
            ["Database:MigrateOnStart"] = "false",
        });
        var error = Assert.Throws<OptionsValidationException>(() => app.Services);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_stop_the_worker_at_start()
    {
        await using var app = new ServiceHost<Program>("Host=127.0.0.1;Port=1;Database=none;Username=none", new Dictionary<string, string?>
        {
            ["Generator:Cron"] = "every night at two",
            ["Generator:TimeZone"] = "Mars/Olympus_Mons",
            ["Database:MigrateOnStart"] = "false",
        });
        var error = Assert.Throws<OptionsValidationException>(() => app.Services);
        Assert.Contains("Generator:Cron \"every night at two\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("Generator:TimeZone \"Mars/Olympus_Mons\"", error.Message, StringComparison.Ordinal);
    }
}
