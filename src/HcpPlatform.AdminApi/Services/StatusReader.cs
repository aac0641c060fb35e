using Npgsql;

namespace HcpPlatform.AdminApi.Services;

public sealed record WorkerStatus(string? Id, DateTime? HeartbeatAt, bool Alive, string? ObservedMode, double? ObservedSecondsPerSimulatedDay, DateOnly? CurrentSimulatedDay);

public sealed record DatasetSummary(long Seed, int Hcps, int Months, string Scenario, DateOnly WindowStart, DateOnly SimulatedThrough);

public sealed record RunSummary(Guid Id, string Kind, string Status, DateTime StartedAt, DateTime? FinishedAt, long? DurationMs, long Rows, string? Verdict);

/// <summary>The last appended day: from the worker when it reports it, else from lineage (then without its duration).</summary>
public sealed record IncrementSummary(DateOnly? Day, DateTime? At, long Rows, double? Seconds, double? RowsPerSecond);

/// <param name="Mode">The mode in effect: the worker's observed mode while a worker is alive, else the desired mode.</param>
/// <param name="LagDays">Days the dataset is behind real time (today UTC − last simulated day); negative when accelerated play ran ahead.</param>
/// <param name="RowsPerSecond">Rows per second of the last increment (rows ÷ its duration), when the worker reported it.</param>
/// <param name="RecentRowsPerSecond">Rows appended by increments in the last 60 s of wall time, per second.</param>
public sealed record GenerationStatus(
    string Mode,
    string DesiredMode,
    double? SecondsPerSimulatedDay,
    string Scenario,
    DateTime DesiredUpdatedAt,
    WorkerStatus Worker,
    DatasetSummary? Dataset,
    DateOnly? SimulatedThrough,
    int? LagDays,
    RunSummary? LastRun,
    IncrementSummary? LastIncrement,
    double? RowsPerSecond,
    double RecentRowsPerSecond,
    int RecentIncrements,
    string? LastError,
    DateTime? LastErrorAt,
    DateTime ServerTime);

/// <summary>
/// Reads the generation status in one round trip (five statements in one batch): desired and observed state, the
/// dataset's watermark, the last run, the last increment and the last minute's throughput. This is the endpoint the
/// page polls and the load benchmark measures.
/// </summary>
public sealed class StatusReader(NpgsqlDataSource dataSource)
{
    /// <summary>A worker whose heartbeat is older than this is reported as not alive.</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(10);

    private const string RowsOf = "(SELECT coalesce(sum(e.value::bigint), 0) FROM jsonb_each_text(coalesce(counts, '{}'::jsonb)) AS e)";

    public async Task<GenerationStatus> ReadAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("""
                    SELECT desired_mode, seconds_per_simulated_day, scenario, updated_at, observed_mode, observed_seconds_per_simulated_day,
                           worker_id, heartbeat_at, current_simulated_day, last_increment_day, last_increment_at, last_increment_rows,
                           last_increment_seconds, last_error, last_error_at, clock_timestamp()
                    FROM platform.simulation_state WHERE id = 1
                    """),
                new("SELECT seed, hcp_count, months, scenario, window_start, simulated_through FROM hcp.dataset_info LIMIT 1"),
                new($"SELECT id, kind, status, started_at, finished_at, duration_ms, {RowsOf}, verdict FROM platform.generation_runs ORDER BY started_at DESC LIMIT 1"),
                new($"""
                    SELECT as_of, finished_at, {RowsOf} FROM platform.generation_runs
                    WHERE kind = 'increment' AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1
                    """),
                new($"""
                    SELECT count(*)::int, coalesce(sum({RowsOf}), 0)::bigint FROM platform.generation_runs
                    WHERE kind = 'increment' AND status = 'succeeded' AND started_at > clock_timestamp() - interval '60 seconds'
                    """),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);

        string desiredMode = "stopped", scenario = Engine.Config.Scenario.Development.Name;
        double? speed = null, observedSpeed = null, workerSeconds = null;
        DateTime desiredAt = DateTime.UnixEpoch, now = DateTime.UtcNow;
        string? observedMode = null, workerId = null, lastError = null;
        DateTime? heartbeat = null, workerIncrementAt = null, lastErrorAt = null;
        DateOnly? currentDay = null, workerIncrementDay = null;
        long? workerRows = null;
        if (await reader.ReadAsync(ct))
        {
            desiredMode = reader.GetString(0);
            speed = NullableDouble(reader, 1);
            scenario = reader.GetString(2);
            desiredAt = reader.GetDateTime(3);
            observedMode = reader.IsDBNull(4) ? null : reader.GetString(4);
            observedSpeed = NullableDouble(reader, 5);
            workerId = reader.IsDBNull(6) ? null : reader.GetString(6);
            heartbeat = NullableTime(reader, 7);
            currentDay = NullableDate(reader, 8);
            workerIncrementDay = NullableDate(reader, 9);
            workerIncrementAt = NullableTime(reader, 10);
            workerRows = reader.IsDBNull(11) ? null : reader.GetInt64(11);
            workerSeconds = NullableDouble(reader, 12);
            lastError = reader.IsDBNull(13) ? null : reader.GetString(13);
            lastErrorAt = NullableTime(reader, 14);
            now = reader.GetDateTime(15);
        }

        await reader.NextResultAsync(ct);
        DatasetSummary? dataset = null;
        if (await reader.ReadAsync(ct))
        {
            dataset = new DatasetSummary(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3),
                reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateOnly>(5));
        }

        await reader.NextResultAsync(ct);
        RunSummary? lastRun = null;
        if (await reader.ReadAsync(ct))
        {
            lastRun = new RunSummary(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3), NullableTime(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), Convert.ToInt64(reader.GetValue(6), System.Globalization.CultureInfo.InvariantCulture),
                reader.IsDBNull(7) ? null : reader.GetString(7));
        }

        await reader.NextResultAsync(ct);
        IncrementSummary? lastIncrement = null;
        if (workerRows is { } rows && workerIncrementAt is not null)
        {
            lastIncrement = new IncrementSummary(workerIncrementDay, workerIncrementAt, rows, workerSeconds,
                workerSeconds is > 0 ? Math.Round(rows / workerSeconds.Value, 1) : null);
        }
        else if (await reader.ReadAsync(ct))
        {
            lastIncrement = new IncrementSummary(NullableDate(reader, 0), NullableTime(reader, 1),
                Convert.ToInt64(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture), null, null);
        }

        await reader.NextResultAsync(ct);
        var recentIncrements = 0;
        long recentRows = 0;
        if (await reader.ReadAsync(ct))
        {
            recentIncrements = reader.GetInt32(0);
            recentRows = reader.GetInt64(1);
        }

        var alive = heartbeat is { } h && now - h < HeartbeatTimeout;
        var worker = new WorkerStatus(workerId, heartbeat, alive, observedMode, observedSpeed, currentDay);
        var through = dataset?.SimulatedThrough;
        return new GenerationStatus(
            Mode: alive && observedMode is not null ? observedMode : desiredMode,
            DesiredMode: desiredMode,
            SecondsPerSimulatedDay: speed,
            Scenario: scenario,
            DesiredUpdatedAt: desiredAt,
            Worker: worker,
            Dataset: dataset,
            SimulatedThrough: through,
            LagDays: through is { } t ? DateOnly.FromDateTime(now).DayNumber - t.DayNumber : null,
            LastRun: lastRun,
            LastIncrement: lastIncrement,
            RowsPerSecond: lastIncrement?.RowsPerSecond,
            RecentRowsPerSecond: Math.Round(recentRows / 60.0, 1),
            RecentIncrements: recentIncrements,
            LastError: lastError,
            LastErrorAt: lastErrorAt,
            ServerTime: now);
    }

    private static double? NullableDouble(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static DateTime? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDateTime(i);

    private static DateOnly? NullableDate(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateOnly>(i);
}
