using System.Globalization;
using System.Text.Json;
using HcpPlatform.Data.Loading;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Generator;

/// <summary>What the worker does, derived from the desired state.</summary>
public enum GenerationMode
{
    /// <summary>desired_mode = stopped (or no state row, or an unknown mode): nothing is generated.</summary>
    Stopped,

    /// <summary>desired_mode = paused: nothing is generated; the day in progress finishes.</summary>
    Paused,

    /// <summary>running with seconds_per_simulated_day = null: on each nightly trigger, every missing day through today.</summary>
    Nightly,

    /// <summary>running with seconds_per_simulated_day = s: one simulated day every s seconds, whatever the date.</summary>
    Accelerated,
}

/// <summary>The admin-owned columns of platform.simulation_state (id = 1).</summary>
public sealed record DesiredState(string DesiredMode, double? SecondsPerSimulatedDay, string Scenario, string ConfigJson, DateTime UpdatedAt)
{
    /// <summary>The fastest accelerated play honoured: one simulated day every 50 ms (smaller values are raised to it).</summary>
    public const double MinSecondsPerSimulatedDay = 0.05;

    public bool IsKnownMode => DesiredMode is "running" or "paused" or "stopped";

    public GenerationMode Mode => DesiredMode switch
    {
        "running" => SecondsPerSimulatedDay is null ? GenerationMode.Nightly : GenerationMode.Accelerated,
        "paused" => GenerationMode.Paused,
        _ => GenerationMode.Stopped,
    };

    /// <summary>Seconds per simulated day in accelerated mode (null otherwise).</summary>
    public double? Interval => Mode == GenerationMode.Accelerated ? Math.Max(MinSecondsPerSimulatedDay, SecondsPerSimulatedDay!.Value) : null;

    public static DesiredState Default { get; } = new("stopped", null, "development", "{}", DateTime.UnixEpoch);

    /// <summary>
    /// The nightly schedule the admin stored in config ({"schedule": {"cron": "...", "timeZone": "..."}}), or null
    /// when there is none (the worker's own Generator:Cron and Generator:TimeZone apply).
    /// </summary>
    public (string Cron, string TimeZone)? Schedule
    {
        get
        {
            try
            {
                using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(ConfigJson) ? "{}" : ConfigJson);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!string.Equals(property.Name, "schedule", StringComparison.OrdinalIgnoreCase) || property.Value.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }
                    string? cron = null, timeZone = null;
                    foreach (var p in property.Value.EnumerateObject())
                    {
                        if (string.Equals(p.Name, "cron", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                        {
                            cron = p.Value.GetString();
                        }
                        else if (string.Equals(p.Name, "timeZone", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.String)
                        {
                            timeZone = p.Value.GetString();
                        }
                    }
                    return string.IsNullOrWhiteSpace(cron) ? null : (cron.Trim(), string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone.Trim());
                }
            }
            catch (JsonException)
            {
                // Not ours to judge here: the events reader reports a malformed document.
            }
            return null;
        }
    }
}

/// <summary>
/// Reads the desired state and writes the observed state of platform.simulation_state. The admin API writes the
/// desired columns and then runs <c>NOTIFY hcp_simulation_state</c> (<see cref="Channel"/>); the worker LISTENs and
/// also polls every second. The worker writes only the observed columns (migration V002).
/// </summary>
public static class SimulationStateStore
{
    /// <summary>The NOTIFY channel the admin API signals after writing the desired state.</summary>
    public const string Channel = "hcp_simulation_state";

    public static async Task<DesiredState> ReadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand(
            "SELECT desired_mode, seconds_per_simulated_day, scenario, config::text, updated_at FROM platform.simulation_state WHERE id = 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return DesiredState.Default;
        }
        return new DesiredState(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetDouble(1), reader.GetString(2), reader.GetString(3),
            reader.GetDateTime(4));
    }

    /// <summary>Writes the heartbeat and the watermark as seen now; returns the watermark (null without a dataset).</summary>
    public static async Task<DateOnly?> HeartbeatAsync(NpgsqlConnection connection, string observedMode, double? observedSeconds, string workerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand("""
            UPDATE platform.simulation_state
            SET observed_mode = @mode, observed_seconds_per_simulated_day = @seconds, worker_id = @worker, heartbeat_at = now(),
                current_simulated_day = (SELECT max(simulated_through) FROM hcp.dataset_info)
            WHERE id = 1
            RETURNING current_simulated_day
            """, connection);
        cmd.Parameters.AddWithValue("mode", observedMode);
        cmd.Parameters.AddWithValue("seconds", NpgsqlDbType.Double, (object?)observedSeconds ?? DBNull.Value);
        cmd.Parameters.AddWithValue("worker", workerId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateOnly>(0) : null;
    }

    /// <summary>Records a day this worker appended (and clears the last error).</summary>
    public static async Task RecordIncrementAsync(NpgsqlConnection connection, IncrementResult result, string workerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(result);
        await using var cmd = new NpgsqlCommand("""
            UPDATE platform.simulation_state
            SET last_increment_day = @day, last_increment_at = now(), last_increment_rows = @rows, last_increment_seconds = @seconds,
                current_simulated_day = greatest(current_simulated_day, @day), worker_id = @worker, last_error = NULL, last_error_at = NULL
            WHERE id = 1
            """, connection);
        cmd.Parameters.AddWithValue("day", NpgsqlDbType.Date, result.Day);
        cmd.Parameters.AddWithValue("rows", result.Counts.Values.Sum());
        cmd.Parameters.AddWithValue("seconds", Math.Round(result.Seconds, 6));
        cmd.Parameters.AddWithValue("worker", workerId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a failure (best effort: a broken database is what usually causes one).</summary>
    public static async Task RecordErrorAsync(string connectionString, string message, string workerId)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await connection.OpenAsync(timeout.Token);
            await using var cmd = new NpgsqlCommand(
                "UPDATE platform.simulation_state SET last_error = @error, last_error_at = now(), worker_id = @worker WHERE id = 1", connection);
            cmd.Parameters.AddWithValue("error", string.Create(CultureInfo.InvariantCulture, $"{workerId}: {message}"));
            cmd.Parameters.AddWithValue("worker", workerId);
            await cmd.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            // The failure itself is logged by the caller; the status row is only a convenience.
        }
    }
}
