using System.Globalization;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace HcpPlatform.Generator;

/// <summary>
/// Keeps the worker in step with the desired state: it LISTENs on <see cref="SimulationControl.Channel"/> (the
/// admin API NOTIFYs after writing platform.simulation_state) and also reads the state every
/// <see cref="GeneratorOptions.PollInterval"/> (1 s), so a change is picked up within a second either way. On each
/// look it
/// <list type="bullet">
/// <item>schedules, re-times or removes the accelerated-play interval trigger (one day every seconds_per_simulated_day);</item>
/// <item>on entering nightly mode (including at start) triggers a catch-up run at once;</item>
/// <item>writes the heartbeat: observed_mode (running | pausing | paused | stopping | stopped — "pausing" while the day in
/// progress finishes), observed speed, worker id and the watermark.</item>
/// </list>
/// The nightly cron trigger is configured with Quartz (AddQuartz, from Generator:Cron and Generator:TimeZone) and always
/// present (runs check the mode); when the admin stores a schedule in config ({"schedule": {"cron", "timeZone"}}) the
/// trigger is re-timed to it.
/// </summary>
public sealed class SimulationStateWatcher(
    [FromKeyedServices(HcpDatabase.SessionsKey)] NpgsqlDataSource sessions,
    SimulationRunner runner,
    ISchedulerFactory schedulers,
    IOptions<GeneratorOptions> options,
    ILogger<SimulationStateWatcher> logger) : BackgroundService
{
    private readonly GeneratorOptions _options = options.Value;
    private GenerationMode? _lastMode;
    private double? _lastInterval;
    private double? _scheduledInterval;
    private (string Cron, string TimeZone)? _nightly;
    private string? _rejectedSchedule;
    private long _lastTickTicks;

    /// <summary>Why the stored nightly schedule cannot be used (null when it can), for the health check.</summary>
    public string? ScheduleProblem { get; private set; }

    /// <summary>When the desired state was last read successfully (UTC), for the health check.</summary>
    public DateTimeOffset? LastTickAt => Interlocked.Read(ref _lastTickTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Polling once a second: untraced, so its queries make no root traces (the work it triggers is traced).
        using var untraced = PlatformTelemetry.Untraced("generator.watch");
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        GeneratorLog.Started(logger, runner.WorkerId, _options.Cron, _options.TimeZone, SimulationControl.Channel, _options.PollInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A session of its own (unpooled), for as long as it listens.
                await using var connection = await sessions.OpenConnectionAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {SimulationControl.Channel}; LISTEN {Backfill.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                while (!stoppingToken.IsCancellationRequested)
                {
                    await TickAsync(connection, scheduler, stoppingToken);
                    // Returns at the first notification, or after the poll interval: either way the state is read again.
                    await connection.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // shutting down
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                GeneratorLog.WatchFailed(logger, e, _options.PollInterval);
                await Task.Delay(_options.PollInterval, stoppingToken);
            }
        }
    }

    private async Task TickAsync(NpgsqlConnection connection, IScheduler scheduler, CancellationToken ct)
    {
        var desired = await SimulationControl.ReadAsync(connection, ct);
        var mode = desired.Mode;
        var interval = desired.Interval;
        if (mode != _lastMode || interval != _lastInterval)
        {
            if (!desired.IsKnownMode)
            {
                GeneratorLog.UnknownMode(logger, desired.DesiredMode);
            }
            GeneratorLog.DesiredState(logger, desired.DesiredMode, mode switch
            {
                GenerationMode.Accelerated => string.Create(CultureInfo.InvariantCulture, $", one simulated day every {interval} s"),
                GenerationMode.Nightly => $", nightly ('{_options.Cron}', {_options.TimeZone})",
                _ => "",
            });
        }

        if (mode == GenerationMode.Accelerated && interval != _scheduledInterval)
        {
            var trigger = TriggerBuilder.Create().WithIdentity(DailyIncrementJob.AcceleratedTrigger).ForJob(DailyIncrementJob.Key)
                .UsingJobData(DailyIncrementJob.ReasonKey, SimulationRunner.Name(RunReason.Accelerated))
                .StartNow()
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(interval!.Value)).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            await ScheduleOrReplaceAsync(scheduler, trigger, ct);
            _scheduledInterval = interval;
            GeneratorLog.AcceleratedScheduled(logger, interval!.Value);
        }
        else if (mode != GenerationMode.Accelerated && _scheduledInterval is not null)
        {
            await scheduler.UnscheduleJob(DailyIncrementJob.AcceleratedTrigger, ct);
            _scheduledInterval = null;
        }
        await ApplyNightlyScheduleAsync(connection, desired, scheduler, ct);
        if (mode == GenerationMode.Nightly && _lastMode != GenerationMode.Nightly)
        {
            // Entering nightly mode (or starting in it): catch up the missed days now, not at the next 02:00.
            await scheduler.TriggerJob(DailyIncrementJob.Key, new JobDataMap { [DailyIncrementJob.ReasonKey] = SimulationRunner.Name(RunReason.CatchUp) }, ct);
        }
        _lastMode = mode;
        _lastInterval = interval;

        var generating = runner.IsGenerating;
        var observed = mode switch
        {
            GenerationMode.Paused => generating ? "pausing" : "paused",
            GenerationMode.Stopped => generating ? "stopping" : "stopped",
            _ => "running",
        };
        var watermark = await SimulationControl.HeartbeatAsync(connection, observed, interval, runner.WorkerId, ct);
        GeneratorTelemetry.ObserveWatermark(watermark, runner.Today);
        Interlocked.Exchange(ref _lastTickTicks, DateTimeOffset.UtcNow.UtcTicks);
    }

    /// <summary>Re-times the nightly trigger to the schedule in the desired config (or back to the worker's options).</summary>
    private async Task ApplyNightlyScheduleAsync(NpgsqlConnection connection, DesiredState desired, IScheduler scheduler, CancellationToken ct)
    {
        var wanted = StoredSchedule(desired) ?? (_options.Cron, _options.TimeZone);
        _nightly ??= (_options.Cron, _options.TimeZone); // what AddQuartz scheduled
        if (wanted == _nightly)
        {
            return;
        }
        // Checked the way Quartz uses it (against the wall clock Quartz schedules by): a schedule that never fires, or
        // fires more than once a minute, keeps the previous trigger and makes the worker unhealthy, with the reason in
        // the status (last_error) and the health check, instead of failing every look at the state.
        var problem = ScheduleSettings.Problem(wanted.Cron, wanted.TimeZone, DateTimeOffset.UtcNow) is { } p ? p.Message : null;
        if (problem is null)
        {
            var trigger = TriggerBuilder.Create().WithIdentity(DailyIncrementJob.NightlyTrigger).ForJob(DailyIncrementJob.Key)
                .UsingJobData(DailyIncrementJob.ReasonKey, SimulationRunner.Name(RunReason.Nightly))
                .WithCronSchedule(wanted.Cron, c => c.InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(wanted.TimeZone)).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            try
            {
                await ScheduleOrReplaceAsync(scheduler, trigger, ct);
                _nightly = wanted;
                _rejectedSchedule = null;
                ScheduleProblem = null;
                GeneratorLog.NightlyScheduled(logger, wanted.Cron, wanted.TimeZone);
                return;
            }
            catch (SchedulerException e)
            {
                problem = e.Message;
            }
        }
        var text = wanted.Cron + " " + wanted.TimeZone;
        ScheduleProblem = $"The nightly schedule (cron '{InputEcho.Of(wanted.Cron)}', time zone '{InputEcho.Of(wanted.TimeZone)}') cannot be used: {problem}";
        if (_rejectedSchedule != text)
        {
            _rejectedSchedule = text;
            GeneratorLog.ScheduleInvalid(logger, ScheduleProblem);
            await SimulationControl.RecordErrorAsync(connection, ScheduleProblem, runner.WorkerId, ct);
        }
    }

    /// <summary>Schedules the trigger, or replaces the one of the same key already scheduled.</summary>
    private static async Task ScheduleOrReplaceAsync(IScheduler scheduler, ITrigger trigger, CancellationToken ct)
    {
        if (await scheduler.Exists(trigger.Key, ct))
        {
            await scheduler.RescheduleJob(trigger.Key, trigger, ct);
        }
        else
        {
            await scheduler.ScheduleJob(trigger, cancellationToken: ct);
        }
    }

    /// <summary>The nightly schedule the admin stored in the config document, or null (then the worker's options apply).</summary>
    private static (string Cron, string TimeZone)? StoredSchedule(DesiredState desired) =>
        desired.Settings.Schedule is { Cron: { } cron } schedule && !string.IsNullOrWhiteSpace(cron)
            ? (cron.Trim(), string.IsNullOrWhiteSpace(schedule.TimeZone) ? "UTC" : schedule.TimeZone.Trim())
            : null;
}
