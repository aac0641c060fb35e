using Microsoft.Extensions.Logging;

namespace HcpPlatform.Data.Hosting;

/// <summary>Every log line the data layer writes (event ids 1–99).</summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Transient PostgreSQL failure; retry {Attempt} of {MaxAttempts} in {DelayMs:F0} ms")]
    public static partial void TransientRetry(ILogger logger, Exception? exception, int attempt, int maxAttempts, double delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Database:MigrateOnStart: {Applied} migration(s) applied; schema version {Version}")]
    public static partial void MigratedOnStart(ILogger logger, int applied, int? version);
}
