using System.Diagnostics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.MigrationService;

/// <summary>
/// Creates the database when it is missing, applies every pending migration (<see cref="DatabaseMigrator"/>: one
/// transaction per script, serialised by an advisory lock), then stops the application. The process exit code tells the outcome: 0 migrated or already up to
/// date, 1 failed (the reason is logged at Critical level), which is what Aspire's WaitForCompletion checks.
/// </summary>
public sealed class MigrationWorker(
    IConfiguration configuration,
    NpgsqlDataSource dataSource,
    IOptions<MigrationOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<MigrationWorker> logger) : BackgroundService
{
    /// <summary>The exit code the program returns; failed until the migration has succeeded.</summary>
    public static int ExitCode { get; private set; } = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var span = PlatformTelemetry.StartWork("hcp.migrate");
        try
        {
            ExitCode = await MigrateAsync(span, stoppingToken) ? 0 : 1;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Log.Cancelled(logger);
            span?.SetStatus(ActivityStatusCode.Error, "cancelled");
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task<bool> MigrateAsync(Activity? span, CancellationToken ct)
    {
        var connectionString = configuration.GetConnectionString(HcpDatabase.ConnectionName) ?? "";
        NpgsqlConnectionStringBuilder target;
        try
        {
            target = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            Log.NoDatabase(logger, e, e.Message);
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            return false;
        }

        span?.SetTag("db.namespace", target.Database);
        span?.SetTag("server.address", target.Host);
        span?.SetTag("server.port", target.Port);
        Log.Migrating(logger, target.Database, target.Host, target.Port);
        var retry = TransientRetry.Create(new TransientRetryOptions { MaxRetryAttempts = Math.Max(0, options.Value.RetryAttempts) }, logger);
        try
        {
            if (options.Value.CreateDatabase)
            {
                await CreateDatabaseIfMissingAsync(retry, connectionString, target.Database, ct);
            }
            var report = await retry.ExecuteAsync(async token => await DatabaseMigrator.MigrateAsync(dataSource, token), ct);
            foreach (var applied in report.Applied)
            {
                Log.Applied(logger, applied.Version, applied.Name, applied.Duration.TotalMilliseconds);
            }
            Log.Done(logger, report.CurrentVersion, report.Applied.Count, report.AlreadyApplied.Count);
            span?.SetTag("hcp.migrations_applied", report.Applied.Count);
            span?.SetTag("hcp.schema_version", report.CurrentVersion);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
        {
            var cause = e.GetBaseException();
            var reason = ReferenceEquals(cause, e) ? e.Message : $"{e.Message} ({cause.Message})";
            Log.Failed(logger, e, target.Database, target.Host, target.Port, reason);
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            return false;
        }
    }

    private async Task CreateDatabaseIfMissingAsync(Polly.ResiliencePipeline retry, string connectionString, string? database, CancellationToken ct)
    {
        try
        {
            if (await retry.ExecuteAsync(async token => await PostgresDatabases.CreateIfMissingAsync(connectionString, token), ct))
            {
                Log.CreatedDatabase(logger, database);
            }
        }
        catch (PostgresException e) when (!TransientRetry.IsTransient(e))
        {
            // No CREATEDB privilege, no "postgres" maintenance database (managed servers)...: the target database may
            // well exist; migrating it says for sure.
            Log.CannotCreateDatabase(logger, database, e.MessageText);
        }
    }
}
