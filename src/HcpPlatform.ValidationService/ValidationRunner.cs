using System.Data;
using System.Diagnostics;
using HcpPlatform.Data;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Data.Validation;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.ValidationService;

/// <summary>
/// Runs one validation at a time over the live dataset and stores it with <see cref="ValidationStore"/>.
/// The dataset is read in one REPEATABLE READ, READ ONLY transaction, so every check sees the same snapshot even
/// while increments keep landing, and the generation run recorded with the result is the one that produced exactly
/// the rows validated.
/// </summary>
public sealed class ValidationRunner(
    NpgsqlDataSource dataSource,
    ValidationDatabase database,
    IOptions<ValidationServiceOptions> options,
    ILogger<ValidationRunner> logger) : IDisposable
{
    /// <summary>Triggers of validations this service stores besides the generation run kinds.</summary>
    public const string ScheduleTrigger = "schedule";
    public const string ApiTrigger = "api";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _migrated;

    /// <summary>Validates the dataset now (on demand or scheduled) and stores the result under <paramref name="trigger"/>.</summary>
    public async Task<StoredValidation> RunAsync(string trigger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        return (await RunCoreAsync(trigger, ct))!;
    }

    /// <summary>
    /// Validates the dataset when the newest succeeded backfill or increment has no validation of its own yet, and
    /// stores it with that run's kind as the trigger ("backfill" or "increment") and its id. Returns null when there
    /// was nothing to do. Changes that arrive faster than validations run are coalesced: the newest one is validated.
    /// </summary>
    public Task<StoredValidation?> ValidateLatestChangeAsync(CancellationToken ct) => RunCoreAsync(null, ct);

    private async Task<StoredValidation?> RunCoreAsync(string? trigger, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await EnsureMigratedAsync(ct);
            await using var connection = await dataSource.OpenConnectionAsync(ct);

            LatestRun? run;
            ValidationReport report;
            Activity? span = null;
            await using (var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
            {
                await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, tx))
                {
                    await readOnly.ExecuteNonQueryAsync(ct);
                }
                // The snapshot is taken here: the run read is the one whose dataset the checks below see.
                run = await LatestRunAsync(connection, tx, ct);
                if (trigger is null)
                {
                    if (run is null)
                    {
                        return null;
                    }
                    if (run.Validated)
                    {
                        Log.AlreadyValidated(logger, run.Id, run.Kind);
                        return null;
                    }
                }
                // Work to do: one trace per validation, named for what triggered it ("hcp.validate increment"). The look
                // for work above is not traced when the caller is a polling loop.
                span = PlatformTelemetry.StartWork("hcp.validate " + (trigger ?? run!.Kind));
                // The checks are spread over more connections, all sharing this transaction's snapshot.
                string snapshot;
                await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, tx))
                {
                    snapshot = (string)(await export.ExecuteScalarAsync(ct))!;
                }
                var more = new ValidationConnections(async token => await dataSource.OpenConnectionAsync(token), ValidationConnections.DefaultCount, snapshot);
                report = await DatasetValidator.RunAsync(connection, HcpDbContext.DatasetSchema, options.Value.Scope, more, ct);
                await tx.CommitAsync(ct);
            }

            var effectiveTrigger = trigger ?? run!.Kind;
            var id = await ValidationStore.SaveAsync(connection, report, run?.Id, effectiveTrigger, ct);
            var stored = new StoredValidation(id, run?.Id, effectiveTrigger, report.StartedAt, report.DurationMs,
                report.Passed, report.Checks.Count, report.Failed, report.Checks);
            Record(stored, span);
            span?.Dispose();
            return stored;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Record(StoredValidation stored, Activity? span)
    {
        var trigger = new KeyValuePair<string, object?>("hcp.trigger", stored.Trigger);
        var verdict = stored.Passed ? "passed" : "failed";
        ValidationMetrics.Runs.Add(1, trigger, new KeyValuePair<string, object?>("hcp.verdict", verdict));
        ValidationMetrics.ChecksPassed.Add(stored.ChecksTotal - stored.ChecksFailed, trigger);
        ValidationMetrics.ChecksFailed.Add(stored.ChecksFailed, trigger);
        ValidationMetrics.Duration.Record(stored.DurationMs / 1000.0, trigger);

        span?.SetTag("hcp.trigger", stored.Trigger);
        span?.SetTag("hcp.validation_id", stored.Id.ToString());
        span?.SetTag("hcp.generation_run_id", stored.GenerationRunId?.ToString());
        span?.SetTag("hcp.checks_total", stored.ChecksTotal);
        span?.SetTag("hcp.checks_failed", stored.ChecksFailed);
        if (!stored.Passed)
        {
            span?.SetStatus(ActivityStatusCode.Error, $"{stored.ChecksFailed} checks failed");
        }

        Log.Validated(logger, stored.Id, stored.Trigger, stored.GenerationRunId, verdict, stored.ChecksFailed, stored.ChecksTotal, stored.DurationMs);
        foreach (var check in stored.Checks.Where(c => !c.Passed))
        {
            Log.CheckFailed(logger, stored.Id, check.Name, check.Category, check.Measured, check.Threshold, check.Examples.Count > 0 ? check.Examples[0] : null);
        }
    }

    private async Task EnsureMigratedAsync(CancellationToken ct)
    {
        if (_migrated || !options.Value.ApplyMigrations)
        {
            return;
        }
        var report = await DatabaseMigrator.MigrateAsync(database.ConnectionString, ct);
        if (!report.NothingToDo)
        {
            Log.Migrated(logger, report.Applied.Count, report.CurrentVersion);
        }
        _migrated = true;
    }

    /// <summary>The newest succeeded backfill or increment, and whether a validation with its kind as trigger is stored for it.</summary>
    private static async Task<LatestRun?> LatestRunAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.id, r.kind,
                   EXISTS (SELECT 1 FROM platform.validation_results v WHERE v.generation_run_id = r.id AND v.trigger = r.kind)
            FROM platform.generation_runs r
            WHERE r.status = 'succeeded' AND r.kind IN ('backfill', 'increment')
            ORDER BY r.started_at DESC, r.id DESC
            LIMIT 1
            """, connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new LatestRun(reader.GetGuid(0), reader.GetString(1), reader.GetBoolean(2)) : null;
    }

    public void Dispose() => _gate.Dispose();

    private sealed record LatestRun(Guid Id, string Kind, bool Validated);
}
