namespace HcpPlatform.AdminApi;

/// <summary>Every log line the admin API writes (event ids 3xx). Never a key: a key is named by its prefix.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Refused API key {Prefix}…: {Reason}")]
    public static partial void KeyRefused(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Could not record the last use of {Count} API keys: {Reason}")]
    public static partial void KeyUseNotRecorded(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Regeneration {RunId} succeeded: {Hcps} HCPs, {Months} months, {Rows} rows in {Seconds:0.0} s")]
    public static partial void RegenerationSucceeded(ILogger logger, Guid runId, int hcps, int months, long rows, double seconds);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Regeneration of {Hcps} HCPs, {Months} months failed: {Reason}")]
    public static partial void RegenerationFailed(ILogger logger, int hcps, int months, string reason);
}
