namespace HcpPlatform.MigrationService;

/// <summary>Every log line the migration worker writes (event ids 2xx).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Migrating PostgreSQL database {Database} at {Host}:{Port}")]
    public static partial void Migrating(ILogger logger, string? database, string? host, int port);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Created database {Database}")]
    public static partial void CreatedDatabase(ILogger logger, string? database);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Could not check or create database {Database} ({Reason}); migrating it as it is")]
    public static partial void CannotCreateDatabase(ILogger logger, string? database, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Applied migration V{Version:000} {Name} in {DurationMs:F0} ms")]
    public static partial void Applied(ILogger logger, int version, string name, double durationMs);

    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "Database schema is at version {Version}: {Applied} migration(s) applied now, {AlreadyApplied} already applied")]
    public static partial void Done(ILogger logger, int? version, int applied, int alreadyApplied);

    [LoggerMessage(EventId = 205, Level = LogLevel.Critical, Message = "Cannot migrate PostgreSQL database {Database} at {Host}:{Port}: {Reason}")]
    public static partial void Failed(ILogger logger, Exception exception, string? database, string? host, int port, string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Error, Message = "Migration cancelled before it finished")]
    public static partial void Cancelled(ILogger logger);

    [LoggerMessage(EventId = 207, Level = LogLevel.Critical, Message = "No usable database: {Reason}")]
    public static partial void NoDatabase(ILogger logger, Exception exception, string reason);
}
