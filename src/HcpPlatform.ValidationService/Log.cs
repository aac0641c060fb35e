using Microsoft.Extensions.Logging;

namespace HcpPlatform.ValidationService;

/// <summary>Every log line the validation service writes (event ids 1xx).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Listening on channel {Channel} for dataset changes")]
    public static partial void Listening(ILogger logger, string channel);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Dataset changed: notification for generation run {Payload}")]
    public static partial void Notified(ILogger logger, string payload);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Listening for dataset changes failed; reconnecting in {DelayMs:F0} ms (polling every {PollSeconds:F0} s continues)")]
    public static partial void ListenFailed(ILogger logger, Exception exception, double delayMs, double pollSeconds);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information,
        Message = "Validation {ValidationId} ({Trigger}, generation run {GenerationRunId}): {Verdict}, {ChecksFailed} of {ChecksTotal} checks failed, {DurationMs} ms")]
    public static partial void Validated(ILogger logger, Guid validationId, string trigger, Guid? generationRunId, string verdict, int checksFailed, int checksTotal, long durationMs);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Validation {ValidationId}: check {Check} ({Category}) failed: measured {Measured}, threshold {Threshold}; e.g. {Example}")]
    public static partial void CheckFailed(ILogger logger, Guid validationId, string check, string category, double? measured, string threshold, string? example);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Validating the dataset after a change failed; the next notification or poll retries")]
    public static partial void ChangeValidationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "Scheduled validation failed; the next one runs in {Interval}")]
    public static partial void ScheduledValidationFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Scheduled validation every {Interval}")]
    public static partial void Scheduled(ILogger logger, TimeSpan interval);
}
