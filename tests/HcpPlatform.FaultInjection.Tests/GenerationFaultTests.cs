using HcpPlatform.Data.Platform;
using HcpPlatform.Postgres;
using HcpPlatform.Testing;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>
/// Accelerated generation (the generator worker as a process, a day every 0.05 s: it is almost always inside an increment)
/// through kill -9 of the worker, a crash and restart of PostgreSQL, and a hung database: every day lands exactly once or
/// not at all, never partially, and generation carries on by itself afterwards.
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class GenerationFaultTests(FaultFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static ServiceProcess Worker(string cs, string id) =>
        ServiceProcess.Start(ServiceProcess.Generator, cs, new Dictionary<string, string?> { ["Generator__WorkerId"] = id });

    [Fact]
    public async Task A_worker_killed_during_increments_leaves_each_day_once_or_absent_and_the_next_one_carries_on()
    {
        var cs = await fixture.DatasetAsync();
        await Days.SetStateAsync(cs, SimulationControl.Running, DesiredState.MinSecondsPerSimulatedDay);
        for (var kill = 0; kill < 3; kill++)
        {
            await using var worker = Worker(cs, $"killed-{kill}");
            var from = (await Days.WatermarkAsync(cs))!.Value;
            await Days.ReachAsync(cs, from.AddDays(2), Deadline);
            await worker.Process.KillAsync();
        }
        await using (var last = Worker(cs, "last"))
        {
            var from = (await Days.WatermarkAsync(cs))!.Value;
            await Days.ReachAsync(cs, from.AddDays(2), Deadline);
            await Days.SetStateAsync(cs, SimulationControl.Paused);
            await Poll.UntilAsync(async () => await Sql.ScalarAsync<string?>(cs, "SELECT observed_mode FROM platform.simulation_state") == SimulationControl.Paused,
                "the worker reports paused", Deadline);
        }
        await Days.AssertEachDayExactlyOnceAndWholeAsync(cs, FaultFixture.AsOf);
    }

    [Fact]
    public async Task Generation_survives_a_database_crash_and_restart_and_a_hang_without_a_partial_day()
    {
        var cs = await fixture.DatasetAsync();
        await using var proxy = new LoopbackProxy(cs);
        await Days.SetStateAsync(cs, SimulationControl.Running, DesiredState.MinSecondsPerSimulatedDay);
        await using var worker = Worker(proxy.ConnectionString, "survivor");
        await Days.ReachAsync(cs, FaultFixture.AsOf.AddDays(2), Deadline);

        // PostgreSQL crashes (immediate stop: no checkpoint, crash recovery at the next start) mid-generation, and comes back.
        using (var restart = new CancellationTokenSource(Deadline))
        {
            await fixture.Postgres.Cluster.StopAsync(PostgresStopMode.Immediate, restart.Token);
            await fixture.Postgres.Cluster.StartAsync(restart.Token);
        }
        // The test's own pooled connections died with the server: the next tests must not pick one up.
        Npgsql.NpgsqlConnection.ClearAllPools();
        DateOnly? afterCrash = null;
        await Poll.UntilAsync(async () => (afterCrash = await Days.WatermarkAsync(cs)) is not null, "the server back", Deadline);
        await Days.ReachAsync(cs, afterCrash!.Value.AddDays(2), Deadline);

        // The database hangs: the worker's statements get no answer; nothing lands while it lasts.
        proxy.Hang();
        DateOnly? stalled = null;
        await Poll.UntilAsync(async () =>
        {
            stalled = await Days.WatermarkAsync(cs);
            var heartbeatAge = await Sql.ScalarAsync<double>(cs, "SELECT extract(epoch FROM clock_timestamp() - heartbeat_at)::float8 FROM platform.simulation_state");
            return heartbeatAge > 3 && await Days.WatermarkAsync(cs) == stalled;
        }, "the worker stalled by the hung database", Deadline);
        proxy.Restore();
        await Days.ReachAsync(cs, stalled!.Value.AddDays(2), Deadline);

        await Days.SetStateAsync(cs, SimulationControl.Paused);
        await Poll.UntilAsync(async () => await Sql.ScalarAsync<string?>(cs, "SELECT observed_mode FROM platform.simulation_state") == SimulationControl.Paused,
            "the worker reports paused", Deadline);
        await Days.AssertEachDayExactlyOnceAndWholeAsync(cs, FaultFixture.AsOf);
    }
}
