using System.Collections.Concurrent;
using System.Text.Json;
using HcpPlatform.Data.Loading;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.AdminApi.Services;

/// <summary>How a request to regenerate went: started (with its lineage run id), refused because a writer is busy, or failed at once.</summary>
public sealed record BackfillStart(Guid? RunId, string? Busy, string? Failed);

/// <summary>
/// Runs <see cref="Backfill.RunAsync"/> in the background of this process (one at a time), so a regenerate request
/// returns at once with the lineage run id to poll. The run is tied to the application's lifetime, not to the request:
/// stopping the service cancels it, and the atomic swap leaves the previous dataset in place.
/// </summary>
public sealed class BackfillRunner(NpgsqlDataSource dataSource, IHostApplicationLifetime lifetime, ILogger<BackfillRunner> logger)
{
    private static readonly TimeSpan RunRowTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private Active? _active;

    private sealed class Active
    {
        public Task Task { get; set; } = Task.CompletedTask;
        public Guid? RunId { get; set; }
        public ConcurrentDictionary<string, TableProgress> Progress { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Reporter(ConcurrentDictionary<string, TableProgress> into) : IProgress<TableProgress>
    {
        public void Report(TableProgress value) => into[value.Table] = value;
    }

    /// <summary>Per-table progress of the run with that id, while this process runs it.</summary>
    public IReadOnlyDictionary<string, TableProgress>? ProgressOf(Guid runId) =>
        _active is { } a && a.RunId == runId && !a.Task.IsCompleted ? new SortedDictionary<string, TableProgress>(a.Progress, StringComparer.Ordinal) : null;

    public async Task<BackfillStart> StartAsync(GenerationParameters parameters, CancellationToken ct)
    {
        DateTime startedAfter;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            if (await GenerationLock.HolderAsync(connection, ct) is { } pid)
            {
                return new BackfillStart(null, $"Another writer (PostgreSQL backend pid {pid}) is generating into this database; try again when it has finished.", null);
            }
            await using var clock = new NpgsqlCommand("SELECT clock_timestamp()", connection);
            startedAfter = (DateTime)(await clock.ExecuteScalarAsync(ct))!;
        }

        Active active;
        lock (_gate)
        {
            if (_active is { Task.IsCompleted: false } running)
            {
                return new BackfillStart(null, $"A regeneration started by this service is still running (run {running.RunId?.ToString() ?? "starting"}).", null);
            }
            active = new Active();
            var stopping = lifetime.ApplicationStopping;
            var task = Task.Run(() => Backfill.RunAsync(dataSource, parameters, new Reporter(active.Progress), stopping), stopping);
            active.Task = task;
            _active = active;
            _ = task.ContinueWith(t => Finished(t, parameters), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        // Backfill.RunAsync makes its run id itself; find its lineage row (started after this request, same parameters).
        var match = JsonSerializer.Serialize(new { seed = parameters.Seed, hcps = parameters.Hcps, months = parameters.Months, asOf = parameters.AsOf });
        var deadline = DateTime.UtcNow + RunRowTimeout;
        while (DateTime.UtcNow < deadline)
        {
            await using (var cmd = dataSource.CreateCommand("""
                SELECT id FROM platform.generation_runs
                WHERE kind = 'backfill' AND started_at >= @after AND parameters @> @match
                ORDER BY started_at LIMIT 1
                """))
            {
                cmd.Parameters.AddWithValue("after", startedAfter);
                cmd.Parameters.AddWithValue("match", NpgsqlDbType.Jsonb, match);
                if (await cmd.ExecuteScalarAsync(ct) is Guid runId)
                {
                    active.RunId = runId;
                    return new BackfillStart(runId, null, null);
                }
            }
            if (active.Task.IsCompleted)
            {
                var error = active.Task.Exception?.GetBaseException();
                return error is GenerationBusyException busy
                    ? new BackfillStart(null, busy.Message, null)
                    : new BackfillStart(null, null, error?.Message ?? "The regeneration ended before it recorded its run.");
            }
            await Task.Delay(50, ct);
        }
        return new BackfillStart(null, null, $"The regeneration did not record its run within {RunRowTimeout.TotalSeconds:0} s; see GET /api/admin/runs.");
    }

    private void Finished(Task<BackfillResult> task, GenerationParameters p)
    {
        if (task.IsCompletedSuccessfully)
        {
            var r = task.Result;
            var rows = r.Counts.Values.Sum();
            Log.RegenerationSucceeded(logger, r.RunId, p.Hcps, p.Months, rows, r.TotalSeconds);
        }
        else
        {
            var reason = task.Exception?.GetBaseException().Message ?? "cancelled";
            Log.RegenerationFailed(logger, p.Hcps, p.Months, reason);
        }
    }
}
