using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Engine.Dynamics;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.AdminApi.Services;

/// <summary>When the generator worker appends a day on the nightly schedule (used while no speed is set).</summary>
public sealed record ScheduleSettings(string Cron, string TimeZone)
{
    /// <summary>Quartz cron: 02:00 every day.</summary>
    public static readonly ScheduleSettings Default = new("0 0 2 * * ?", "UTC");
}

/// <summary>The jsonb column platform.simulation_state.config: the nightly schedule and the injected scenario events.</summary>
public sealed record StoredConfig(ScheduleSettings? Schedule, IReadOnlyList<HcpPlatform.AdminApi.Apis.EventSpec>? Events)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static StoredConfig Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredConfig>(json, Json) ?? new StoredConfig(null, null);
        }
        catch (JsonException)
        {
            return new StoredConfig(null, null); // written by someone else in another shape: show defaults
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>The desired state of continuous generation (row id = 1 of platform.simulation_state), as the admin API owns it.</summary>
public sealed record DesiredState(string Mode, double? SecondsPerSimulatedDay, string Scenario, StoredConfig Config, DateTime UpdatedAt);

/// <summary>
/// Writes the desired state the generator worker follows. The API never generates itself: it updates the row and
/// sends NOTIFY <see cref="NotifyChannel"/> in the same transaction, so the worker (LISTENing, or polling) reacts within a second.
/// </summary>
public sealed class GenerationControl(NpgsqlDataSource dataSource)
{
    public const string NotifyChannel = "hcp_simulation_state";

    public const string Running = "running";
    public const string Paused = "paused";
    public const string Stopped = "stopped";

    public async Task<DesiredState> ReadAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT desired_mode, seconds_per_simulated_day, scenario, config::text, updated_at FROM platform.simulation_state WHERE id = 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? Read(reader)
            : new DesiredState(Stopped, null, Engine.Config.Scenario.Development.Name, new StoredConfig(null, null), DateTime.UnixEpoch);
    }

    /// <summary>Sets the mode; <paramref name="secondsPerSimulatedDay"/> is applied only when <paramref name="setSpeed"/>.</summary>
    public Task<DesiredState> SetModeAsync(string mode, bool setSpeed, double? secondsPerSimulatedDay, CancellationToken ct) =>
        WriteAsync("""
            UPDATE platform.simulation_state
            SET desired_mode = @mode,
                seconds_per_simulated_day = CASE WHEN @setSpeed THEN @speed ELSE seconds_per_simulated_day END,
                updated_at = clock_timestamp()
            WHERE id = 1
            """, cmd =>
        {
            cmd.Parameters.AddWithValue("mode", mode);
            cmd.Parameters.AddWithValue("setSpeed", setSpeed);
            cmd.Parameters.AddWithValue("speed", NpgsqlDbType.Double, (object?)secondsPerSimulatedDay ?? DBNull.Value);
        }, ct);

    /// <summary>Replaces scenario, speed (null: nightly schedule) and the config document; the mode stays.</summary>
    public Task<DesiredState> SaveConfigAsync(string scenario, double? secondsPerSimulatedDay, StoredConfig config, CancellationToken ct) =>
        WriteAsync("""
            UPDATE platform.simulation_state
            SET scenario = @scenario, seconds_per_simulated_day = @speed, config = @config, updated_at = clock_timestamp()
            WHERE id = 1
            """, cmd =>
        {
            cmd.Parameters.AddWithValue("scenario", scenario);
            cmd.Parameters.AddWithValue("speed", NpgsqlDbType.Double, (object?)secondsPerSimulatedDay ?? DBNull.Value);
            cmd.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, config.ToJson());
        }, ct);

    private async Task<DesiredState> WriteAsync(string update, Action<NpgsqlCommand> bind, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The row is created by V001; recreate it if someone deleted it, so the update always lands.
        await using (var ensure = new NpgsqlCommand("""
            INSERT INTO platform.simulation_state (id, desired_mode, seconds_per_simulated_day, scenario, config, updated_at)
            VALUES (1, 'stopped', NULL, 'development', '{}'::jsonb, clock_timestamp()) ON CONFLICT (id) DO NOTHING
            """, connection, tx))
        {
            await ensure.ExecuteNonQueryAsync(ct);
        }
        await using (var cmd = new NpgsqlCommand(update, connection, tx))
        {
            bind(cmd);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using (var notify = new NpgsqlCommand($"NOTIFY {NotifyChannel}", connection, tx))
        {
            await notify.ExecuteNonQueryAsync(ct);
        }
        DesiredState state;
        await using (var read = new NpgsqlCommand(
            "SELECT desired_mode, seconds_per_simulated_day, scenario, config::text, updated_at FROM platform.simulation_state WHERE id = 1", connection, tx))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            state = Read(reader);
        }
        await tx.CommitAsync(ct);
        return state;
    }

    private static DesiredState Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetDouble(1),
        reader.GetString(2),
        StoredConfig.Parse(reader.GetString(3)),
        reader.GetDateTime(4));
}
