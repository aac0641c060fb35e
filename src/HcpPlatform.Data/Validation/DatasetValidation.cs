using System.Data;
using System.Diagnostics;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using Npgsql;

namespace HcpPlatform.Data.Validation;

/// <summary>A stored validation, and the dataset it judged as its snapshot saw it (null when there was none).</summary>
public sealed record ValidationOutcome(StoredValidation Stored, DatasetState? Dataset);

/// <summary>
/// "Validate and store", the one way every entry point validates the live dataset (the validation service, the admin
/// API, <c>hcp validate</c>): every check, and the generation run recorded with the result, see one snapshot of the
/// database (a REPEATABLE READ, READ ONLY transaction whose snapshot the helper connections share), so while increments
/// keep landing the report describes exactly one dataset and names the run that produced it. Each validation is one
/// trace, "hcp.validate {trigger}".
/// </summary>
public static class DatasetValidation
{
    public const string CliTrigger = "cli";
    public const string ApiTrigger = "api";
    public const string ScheduleTrigger = "schedule";

    /// <summary>Validates the live dataset now and stores the result under <paramref name="trigger"/>.</summary>
    public static async Task<ValidationOutcome> ValidateAndStoreAsync(NpgsqlDataSource dataSource, ValidationScope scope, string trigger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        return (await RunAsync(dataSource, scope, trigger, ct))!;
    }

    /// <summary>
    /// Validates the live dataset when the newest succeeded backfill or increment has no validation of its own yet, and
    /// stores it with that run's kind as the trigger ("backfill" or "increment") and its id. Null when there was nothing
    /// to do. Changes that land faster than validations run are coalesced: the newest one is validated.
    /// </summary>
    public static Task<ValidationOutcome?> ValidateLatestChangeAsync(NpgsqlDataSource dataSource, ValidationScope scope, CancellationToken ct) =>
        RunAsync(dataSource, scope, null, ct);

    private static async Task<ValidationOutcome?> RunAsync(NpgsqlDataSource dataSource, ValidationScope scope, string? trigger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        LatestRun? run;
        DatasetState? dataset;
        ValidationReport report;
        Activity? span = null;
        try
        {
            await using (var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
            {
                await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, tx))
                {
                    await readOnly.ExecuteNonQueryAsync(ct);
                }
                // The snapshot is taken by the first query: the run read here is the one whose rows the checks see.
                run = await LatestRunAsync(connection, tx, ct);
                if (trigger is null && (run is null || run.Validated))
                {
                    return null;
                }
                trigger ??= run!.Kind;
                // Work to do: a trace of its own, named for what triggered it. The look for work above is not traced
                // when the caller is a polling loop.
                span = PlatformTelemetry.StartWork("hcp.validate " + trigger);
                dataset = await DatasetState.ReadAsync(connection, ct, tx);
                string snapshot;
                await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, tx))
                {
                    snapshot = (string)(await export.ExecuteScalarAsync(ct))!;
                }
                report = await DatasetValidator.RunAsync(connection, HcpDbContext.DatasetSchema, scope,
                    ValidationConnections.FromDataSource(dataSource, ValidationConnections.DefaultCount, snapshot), ct);
                await tx.CommitAsync(ct);
            }

            var id = await ValidationStore.SaveAsync(connection, report, run?.Id, trigger, ct);
            var stored = new StoredValidation(id, run?.Id, trigger, report.StartedAt, report.DurationMs,
                report.Passed, report.Checks.Count, report.Failed, report.Checks);
            span?.SetTag("hcp.trigger", trigger);
            span?.SetTag("hcp.validation_id", id.ToString());
            span?.SetTag("hcp.generation_run_id", run?.Id.ToString());
            span?.SetTag("hcp.checks_total", stored.ChecksTotal);
            span?.SetTag("hcp.checks_failed", stored.ChecksFailed);
            if (!stored.Passed)
            {
                span?.SetStatus(ActivityStatusCode.Error, $"{stored.ChecksFailed} checks failed");
            }
            return new ValidationOutcome(stored, dataset);
        }
        catch (Exception e) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            span?.Dispose();
        }
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

    private sealed record LatestRun(Guid Id, string Kind, bool Validated);
}
