using Microsoft.Extensions.Logging;

namespace HcpPlatform.Generator;

/// <summary>Every log message of the generator worker, as source-generated structured messages (event ids 6001–6099).</summary>
internal static partial class GeneratorLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Generator worker {WorkerId} started: nightly cron '{Cron}' ({TimeZone}), listening on channel {Channel}, polling every {PollInterval}")]
    public static partial void Started(ILogger logger, string workerId, string cron, string timeZone, string channel, TimeSpan pollInterval);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information,
        Message = "Desired state: {Mode}{Speed}")]
    public static partial void DesiredState(ILogger logger, string mode, string speed);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information,
        Message = "Appended simulated day {Day:yyyy-MM-dd} ({Mode}): {Rows} rows in {Seconds:F3} s ({RowsPerSecond:F0} rows/s)")]
    public static partial void DayAppended(ILogger logger, DateOnly day, string mode, long rows, double seconds, double rowsPerSecond);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information,
        Message = "Catching up {Days} simulated day(s): {From:yyyy-MM-dd} through {Through:yyyy-MM-dd}")]
    public static partial void CatchingUp(ILogger logger, int days, DateOnly from, DateOnly through);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug,
        Message = "Another writer is generating ({Detail}); this run appends nothing and tries again later")]
    public static partial void Busy(ILogger logger, string detail);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information,
        Message = "The watermark moved: expected to append {Expected:yyyy-MM-dd}, appended {Actual:yyyy-MM-dd} (another writer appended days meanwhile)")]
    public static partial void WatermarkMoved(ILogger logger, DateOnly expected, DateOnly actual);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning,
        Message = "There is no dataset to extend yet; create one with 'hcp generate' (or the admin API) and the worker continues from it")]
    public static partial void NoDataset(ILogger logger);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Error,
        Message = "Generation run failed ({Reason}); the day in progress was rolled back and will be generated again")]
    public static partial void RunFailed(ILogger logger, Exception exception, RunReason reason);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Information,
        Message = "Adopted scenario events for the days from {From:yyyy-MM-dd}: {Events}")]
    public static partial void EventsAdopted(ILogger logger, DateOnly from, string events);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Warning,
        Message = "Scenario event adjusted to keep simulated days unchanged: {Note}")]
    public static partial void EventAdjusted(ILogger logger, string note);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Error,
        Message = "The desired scenario events in platform.simulation_state.config are invalid and were not applied: {Problem}")]
    public static partial void EventsInvalid(ILogger logger, string problem);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning,
        Message = "Watching the desired state failed; trying again in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 6014, Level = LogLevel.Information,
        Message = "Accelerated play: one simulated day every {Seconds} s")]
    public static partial void AcceleratedScheduled(ILogger logger, double seconds);

    [LoggerMessage(EventId = 6015, Level = LogLevel.Information,
        Message = "Retrying the catch-up at {At:O} ({Outcome})")]
    public static partial void RetryScheduled(ILogger logger, DateTimeOffset at, RunOutcome outcome);

    [LoggerMessage(EventId = 6016, Level = LogLevel.Warning,
        Message = "Unknown desired_mode '{Mode}' in platform.simulation_state; treated as stopped (allowed: running, paused, stopped)")]
    public static partial void UnknownMode(ILogger logger, string mode);

    [LoggerMessage(EventId = 6018, Level = LogLevel.Information,
        Message = "Nightly schedule: cron '{Cron}' ({TimeZone})")]
    public static partial void NightlyScheduled(ILogger logger, string cron, string timeZone);

    [LoggerMessage(EventId = 6019, Level = LogLevel.Error,
        Message = "The nightly schedule in platform.simulation_state.config cannot be used ({Problem}); the nightly trigger keeps its previous schedule and the worker reports unhealthy")]
    public static partial void ScheduleInvalid(ILogger logger, string problem);

    [LoggerMessage(EventId = 6017, Level = LogLevel.Debug,
        Message = "Run {Reason} finished: {Outcome}, {Days} day(s)")]
    public static partial void RunFinished(ILogger logger, RunReason reason, RunOutcome outcome, int days);
}
