using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.Generator;

/// <summary>Why a run was started.</summary>
public enum RunReason
{
    /// <summary>The nightly cron trigger fired.</summary>
    Nightly,

    /// <summary>Catch up now: at start, on entering nightly mode, or retrying after another writer held the lock or a failure.</summary>
    CatchUp,

    /// <summary>The accelerated-play interval trigger fired.</summary>
    Accelerated,
}

public enum RunOutcome
{
    /// <summary>One or more days were appended.</summary>
    Generated,

    /// <summary>The mode asks for this kind of run, but no day is due (nightly: the dataset is already through the target day).</summary>
    UpToDate,

    /// <summary>The desired mode does not ask for this kind of run (stopped, paused, or the other speed).</summary>
    NotRunning,

    /// <summary>Another worker (or writer) was generating; nothing was appended. Quiet: try again later.</summary>
    Busy,

    /// <summary>There is no dataset to extend.</summary>
    NoDataset,

    /// <summary>The run failed (the day in progress was rolled back).</summary>
    Failed,
}

/// <summary>What one run did.</summary>
public sealed record RunReport(RunReason Reason, RunOutcome Outcome, IReadOnlyList<IncrementResult> Days, string? Detail = null)
{
    /// <summary>True when a due day could not be appended and the run should be repeated later.</summary>
    public bool ShouldRetry => Outcome is RunOutcome.Busy or RunOutcome.Failed;
}

/// <summary>
/// The testable core of the generator worker: one <see cref="RunAsync"/> decides from platform.simulation_state what
/// is due and appends it with <see cref="DailyIncrement"/>, one day (one transaction) at a time.
/// <list type="bullet">
/// <item>stopped / paused: nothing. The desired state is read again before every day, so a pause lets the day in
/// progress finish and stops there.</item>
/// <item>running, nightly (seconds_per_simulated_day null): every missing day through today (UTC, from the injected
/// <see cref="TimeProvider"/>) minus <see cref="GeneratorOptions.LagDays"/>, in order: after downtime the missed days
/// are caught up.</item>
/// <item>running, accelerated: exactly one day per run, whatever the date (the interval trigger paces the runs).</item>
/// </list>
/// Exactly once: DailyIncrement appends "the day after the watermark" under the generation lock in one transaction, so
/// a day is never written twice or in part. On top of that, workers hold a session advisory lock (<see cref="WorkerLockKey"/>)
/// (on a session of its own) for a whole run, so two workers never both decide to append "one more day" — the second finds the lock taken
/// (<see cref="RunOutcome.Busy"/>) and tries again later; a CLI increment in between shows up as a moved watermark,
/// which is logged and followed. Desired scenario events are adopted (going forward) before the first day of a run.
/// </summary>
public sealed class SimulationRunner
{
    /// <summary>Session advisory lock held by a worker for a whole run: the ASCII bytes of "hcpwork".</summary>
    public const long WorkerLockKey = 0x0068_6370_776F_726B;

    /// <summary>
    /// Service key of the <see cref="TimeProvider"/> that decides what "today" is for the nightly schedule (and the lag
    /// gauge). Keyed, so a test can move the simulated calendar without moving Quartz's own clock (Quartz takes the
    /// container's unkeyed TimeProvider). Default: <see cref="TimeProvider.System"/>.
    /// </summary>
    public const string ClockKey = "hcp-generator-clock";

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _sessions;
    private readonly TimeProvider _clock;
    private readonly GeneratorOptions _options;
    private readonly ILogger<SimulationRunner> _logger;
    private (Guid DatasetId, string ParametersJson, DailyIncrement Increment)? _increment;
    private int _generating;

    /// <param name="dataSource">The pooled data source: increments, adoption, errors.</param>
    /// <param name="sessions">Unpooled: the worker lock lives exactly as long as its own session.</param>
    public SimulationRunner(NpgsqlDataSource dataSource, [FromKeyedServices(HcpDatabase.SessionsKey)] NpgsqlDataSource sessions,
        [FromKeyedServices(ClockKey)] TimeProvider clock, IOptions<GeneratorOptions> options, ILogger<SimulationRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(options);
        _dataSource = dataSource;
        _sessions = sessions;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        WorkerId = _options.EffectiveWorkerId;
    }

    public string WorkerId { get; }

    /// <summary>True while a day is being appended.</summary>
    public bool IsGenerating => Volatile.Read(ref _generating) != 0;

    /// <summary>
    /// The application_name of a worker's sessions (PostgreSQL keeps 63 bytes), so an operator (or a test) can find them
    /// in pg_stat_activity.
    /// </summary>
    public static string ApplicationNameFor(string workerId)
    {
        ArgumentNullException.ThrowIfNull(workerId);
        var name = "hcp-generator " + workerId;
        return name.Length <= 63 ? name : name[..63];
    }

    /// <summary>Today as the nightly schedule sees it (UTC).</summary>
    public DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);

    /// <summary>The last day nightly mode appends through.</summary>
    public DateOnly NightlyTarget => Today.AddDays(-_options.LagDays);

    public async Task<RunReport> RunAsync(RunReason reason, CancellationToken ct)
    {
        // A run fires every few seconds in accelerated play and mostly finds nothing due: its bookkeeping (lock, desired
        // state, watermark) is untraced, and each appended day is a trace of its own ("hcp.increment YYYY-MM-DD").
        using var untraced = PlatformTelemetry.Untraced("generator.run");
        var days = new List<IncrementResult>();
        RunReport report;
        try
        {
            report = await RunLockedAsync(reason, days, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            GeneratorLog.RunFailed(_logger, e, reason);
            GeneratorTelemetry.Skipped.Add(1, new KeyValuePair<string, object?>("hcp.reason", "failed"));
            await SimulationControl.RecordErrorAsync(_dataSource, e.Message, WorkerId);
            report = new RunReport(reason, RunOutcome.Failed, days, e.Message);
        }
        GeneratorLog.RunFinished(_logger, reason, report.Outcome, report.Days.Count);
        return report;
    }

    private async Task<RunReport> RunLockedAsync(RunReason reason, List<IncrementResult> days, CancellationToken ct)
    {
        await using var session = await _sessions.OpenConnectionAsync(ct);
        if (!await TryLockAsync(session, ct))
        {
            return Busy(reason, days, "another generator worker is running");
        }
        try
        {
            var adopted = false;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                // Read before every day: a pause (or stop, or change of speed) ends the run after the day in progress.
                var desired = await SimulationControl.ReadAsync(session, ct);
                var mode = desired.Mode;
                if (!Wants(reason, mode))
                {
                    return new RunReport(reason, days.Count > 0 ? RunOutcome.Generated : RunOutcome.NotRunning, days, desired.DesiredMode);
                }
                if (!adopted)
                {
                    adopted = true;
                    var adoption = await AdoptEventsAsync(desired, ct);
                    if (adoption == AdoptionStatus.Busy)
                    {
                        return Busy(reason, days, "the generation lock is held");
                    }
                }

                var dataset = await DatasetState.ReadAsync(session, ct);
                if (dataset is null)
                {
                    GeneratorLog.NoDataset(_logger);
                    GeneratorTelemetry.Skipped.Add(1, new KeyValuePair<string, object?>("hcp.reason", "no_dataset"));
                    return new RunReport(reason, RunOutcome.NoDataset, days);
                }
                if (mode == GenerationMode.Nightly)
                {
                    var target = NightlyTarget;
                    if (dataset.SimulatedThrough >= target)
                    {
                        return new RunReport(reason, days.Count > 0 ? RunOutcome.Generated : RunOutcome.UpToDate, days);
                    }
                    if (days.Count == 0)
                    {
                        var first = dataset.SimulatedThrough.AddDays(1);
                        GeneratorLog.CatchingUp(_logger, target.DayNumber - first.DayNumber + 1, first, target);
                    }
                }
                else if (days.Count > 0)
                {
                    return new RunReport(reason, RunOutcome.Generated, days); // accelerated: one day per trigger
                }

                var expected = dataset.SimulatedThrough.AddDays(1);
                IncrementResult? result;
                try
                {
                    result = await AppendDayAsync(dataset, mode, reason, ct);
                }
                catch (GenerationBusyException e)
                {
                    return Busy(reason, days, e.Message);
                }
                if (result is null)
                {
                    GeneratorLog.NoDataset(_logger);
                    return new RunReport(reason, RunOutcome.NoDataset, days);
                }
                if (result.Day != expected)
                {
                    GeneratorLog.WatermarkMoved(_logger, expected, result.Day);
                }
                days.Add(result);
                await SimulationControl.RecordIncrementAsync(session, result, WorkerId, ct);
                GeneratorTelemetry.ObserveWatermark(result.Day, Today);
            }
        }
        finally
        {
            await UnlockAsync(session);
        }
    }

    /// <summary>
    /// Appends the day after the watermark with the increment of the dataset's current parameters: one trace, "hcp.increment
    /// YYYY-MM-DD" (DailyIncrement's), tagged with this worker, the mode and why it ran.
    /// </summary>
    private async Task<IncrementResult?> AppendDayAsync(DatasetState dataset, GenerationMode mode, RunReason reason, CancellationToken ct)
    {
        var modeName = mode == GenerationMode.Accelerated ? "accelerated" : "nightly";
        KeyValuePair<string, object?>[] tags = [new("hcp.mode", modeName), new("hcp.reason", Name(reason)), new("hcp.worker", WorkerId)];
        Volatile.Write(ref _generating, 1);
        IncrementResult? result;
        try
        {
            result = await IncrementFor(dataset).RunNextDayAsync(ct, tags);
        }
        finally
        {
            Volatile.Write(ref _generating, 0);
        }
        if (result is null)
        {
            return null;
        }
        var rows = result.Counts.Values.Sum();
        var rowsPerSecond = result.Seconds > 0 ? rows / result.Seconds : 0;
        var modeTag = new KeyValuePair<string, object?>("hcp.mode", modeName);
        GeneratorTelemetry.Days.Add(1, modeTag);
        GeneratorTelemetry.Rows.Add(rows, modeTag);
        GeneratorTelemetry.Throughput.Record(rowsPerSecond, modeTag);
        GeneratorLog.DayAppended(_logger, result.Day, modeName, rows, result.Seconds, rowsPerSecond);
        return result;
    }

    /// <summary>
    /// The increment for the dataset's current parameters. DailyIncrement caches the population per dataset id, so
    /// a new instance is made whenever the stored parameters change (scenario events adopted by any worker).
    /// </summary>
    private DailyIncrement IncrementFor(DatasetState dataset)
    {
        if (_increment is { } i && i.DatasetId == dataset.Id && i.ParametersJson == dataset.ParametersJson)
        {
            return i.Increment;
        }
        var increment = new DailyIncrement(_dataSource);
        _increment = (dataset.Id, dataset.ParametersJson, increment);
        return increment;
    }

    private async Task<AdoptionStatus> AdoptEventsAsync(DesiredState desired, CancellationToken ct)
    {
        var result = await ScenarioEventAdoption.ApplyAsync(_dataSource, desired.ConfigJson, ct);
        switch (result.Status)
        {
            case AdoptionStatus.Adopted:
                foreach (var note in result.Notes)
                {
                    GeneratorLog.EventAdjusted(_logger, note);
                }
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    GeneratorLog.EventsAdopted(_logger, result.EffectiveFrom ?? Today, result.Events.Count == 0 ? "none" : string.Join("; ", result.Events));
                }
                break;
            case AdoptionStatus.Invalid:
                GeneratorLog.EventsInvalid(_logger, result.Problem ?? "invalid");
                await SimulationControl.RecordErrorAsync(_dataSource, "scenario events not applied: " + result.Problem, WorkerId);
                break;
        }
        return result.Status;
    }

    private RunReport Busy(RunReason reason, List<IncrementResult> days, string detail)
    {
        GeneratorLog.Busy(_logger, detail);
        GeneratorTelemetry.Skipped.Add(1, new KeyValuePair<string, object?>("hcp.reason", "busy"));
        return new RunReport(reason, days.Count > 0 ? RunOutcome.Generated : RunOutcome.Busy, days, detail);
    }

    private static bool Wants(RunReason reason, GenerationMode mode) => reason switch
    {
        RunReason.Accelerated => mode == GenerationMode.Accelerated,
        _ => mode == GenerationMode.Nightly,
    };

    private static async Task<bool> TryLockAsync(NpgsqlConnection session, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", session);
        cmd.Parameters.AddWithValue("k", WorkerLockKey);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task UnlockAsync(NpgsqlConnection session)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", session);
            cmd.Parameters.AddWithValue("k", WorkerLockKey);
            await cmd.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The session is unpooled: closing it (or losing it) releases the lock anyway.
        }
    }

    internal static string Name(RunReason reason) => reason switch
    {
        RunReason.Nightly => "nightly",
        RunReason.CatchUp => "catch_up",
        _ => "accelerated",
    };
}
