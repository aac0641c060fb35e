using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HcpPlatform.Data.Loading;
using HcpPlatform.Engine.Dynamics;
using Npgsql;
using Quartz;
using NpgsqlTypes;

namespace HcpPlatform.Data.Platform;

/// <summary>What the generator worker does, derived from the desired state.</summary>
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

/// <summary>When the generator worker appends a day on the nightly schedule (used while no speed is set).</summary>
public sealed record ScheduleSettings(string Cron, string TimeZone)
{
    /// <summary>Quartz cron: 02:00 every day, UTC.</summary>
    public static readonly ScheduleSettings Default = new("0 0 2 * * ?", "UTC");

    /// <summary>The longest cron expression accepted (a full Quartz expression with lists fits easily).</summary>
    public const int MaxCronLength = 120;

    /// <summary>The schedule must fire within this horizon: a yearly run is the rarest a nightly schedule may be.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(366);

    /// <summary>Firings closer than this are refused: a day takes longer than that to append, and a backlog would build.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Why the schedule cannot drive the nightly trigger, or null when it can: checked the way Quartz uses it — the
    /// expression parses as a Quartz <see cref="CronExpression"/> in the time zone, its next firing after
    /// <paramref name="now"/> lies within <see cref="Horizon"/>, and no two of its next firings are closer than
    /// <see cref="MinInterval"/>. The message names the field (cron or timeZone) and what is allowed.
    /// </summary>
    public static (string Field, string Message)? Problem(string? cron, string? timeZone, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return ("cron", $"cron is empty; allowed: a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]), e.g. \"{Default.Cron}\" for 02:00 daily.");
        }
        cron = cron.Trim();
        if (cron.Length > MaxCronLength)
        {
            return ("cron", string.Create(CultureInfo.InvariantCulture,
                $"cron has {cron.Length} characters; at most {MaxCronLength} are allowed (a Quartz cron expression such as \"{Default.Cron}\")."));
        }
        if (string.IsNullOrWhiteSpace(timeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out var zone))
        {
            return ("timeZone", $"timeZone '{InputEcho.Of(timeZone)}' is not a known time zone; use an IANA id such as \"UTC\" or \"America/New_York\".");
        }
        CronExpression expression;
        try
        {
            expression = new CronExpression(cron, zone);
        }
        catch (FormatException)
        {
            return ("cron", $"cron '{InputEcho.Of(cron)}' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]), e.g. \"{Default.Cron}\" for 02:00 daily.");
        }
        var first = expression.GetNextValidTimeAfter(now);
        if (first is null || first.Value - now > Horizon)
        {
            return ("cron", string.Create(CultureInfo.InvariantCulture,
                $"cron '{InputEcho.Of(cron)}' never fires within the next {Horizon.TotalDays:0} days (after {now:yyyy-MM-dd HH:mm} UTC); allowed: a schedule that fires at least once a year, e.g. \"{Default.Cron}\" for 02:00 daily."));
        }
        // A sub-minute schedule fires twice in one minute: among the next few firings two are then too close.
        var previous = first.Value;
        for (var i = 0; i < 3; i++)
        {
            if (expression.GetNextValidTimeAfter(previous) is not { } next)
            {
                break;
            }
            if (next - previous < MinInterval)
            {
                return ("cron", $"cron '{InputEcho.Of(cron)}' fires more than once a minute; allowed: at most one firing per minute (the seconds field a single value), e.g. \"{Default.Cron}\" for 02:00 daily.");
            }
            previous = next;
        }
        return null;
    }
}

/// <summary>One injected scenario event as requested and stored (see the engine's <see cref="ScenarioEvent"/> for the types and what magnitude means for each).</summary>
public sealed record EventSpec(string? Type, DateOnly? Start, DateOnly? End, double? Magnitude, string? Channel, string? Product)
{
    public ScenarioEvent ToScenarioEvent() => new()
    {
        Type = Type ?? "",
        Start = Start ?? default,
        End = End,
        Magnitude = Magnitude ?? 0,
        Channel = string.IsNullOrWhiteSpace(Channel) ? null : Channel,
        Product = string.IsNullOrWhiteSpace(Product) ? null : Product,
    };

    public static EventSpec From(ScenarioEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Type, e.Start, e.End, e.Magnitude, e.Channel, e.Product);
    }
}

/// <summary>
/// The document in platform.simulation_state.config: the nightly schedule and the scenario events to inject. Events
/// absent: the dataset keeps the events it has; an empty list ends them on the last simulated day.
/// </summary>
public sealed record SimulationSettings(ScheduleSettings? Schedule, IReadOnlyList<EventSpec>? Events)
{
    public static readonly SimulationSettings Empty = new(null, null);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Reads the document.</summary>
    /// <exception cref="JsonException">It is not a JSON object of this shape.</exception>
    public static SimulationSettings Parse(string json)
    {
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("platform.simulation_state.config must be a JSON object.");
        }
        return document.RootElement.Deserialize<SimulationSettings>(Json) ?? Empty;
    }

    /// <summary>The document, or <see cref="Empty"/> when it is not of this shape (written by someone else).</summary>
    public static SimulationSettings ParseOrEmpty(string json)
    {
        try
        {
            return Parse(json);
        }
        catch (JsonException)
        {
            return Empty;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The events as the engine takes them; null when the document names none.</summary>
    public IReadOnlyList<ScenarioEvent>? ScenarioEvents => Events?.Select(e => e.ToScenarioEvent()).ToList();
}

/// <summary>The admin-owned columns of platform.simulation_state (id = 1): what the worker is asked to do.</summary>
public sealed record DesiredState(string DesiredMode, double? SecondsPerSimulatedDay, string Scenario, string ConfigJson, DateTime UpdatedAt)
{
    /// <summary>The fastest accelerated play honoured: one simulated day every 50 ms (smaller values are raised to it).</summary>
    public const double MinSecondsPerSimulatedDay = 0.05;

    public static DesiredState Default { get; } = new(SimulationControl.Stopped, null, "development", "{}", DateTime.UnixEpoch);

    public bool IsKnownMode => DesiredMode is SimulationControl.Running or SimulationControl.Paused or SimulationControl.Stopped;

    public GenerationMode Mode => DesiredMode switch
    {
        SimulationControl.Running => SecondsPerSimulatedDay is null ? GenerationMode.Nightly : GenerationMode.Accelerated,
        SimulationControl.Paused => GenerationMode.Paused,
        _ => GenerationMode.Stopped,
    };

    /// <summary>Seconds per simulated day in accelerated mode (null otherwise).</summary>
    public double? Interval => Mode == GenerationMode.Accelerated ? Math.Max(MinSecondsPerSimulatedDay, SecondsPerSimulatedDay!.Value) : null;

    /// <summary>The config document; empty when it is not of the expected shape.</summary>
    public SimulationSettings Settings => SimulationSettings.ParseOrEmpty(ConfigJson);
}

/// <summary>
/// The simulation-control contract of platform.simulation_state, in one place: the admin API writes the desired
/// columns and NOTIFYs <see cref="Channel"/> in the same transaction; the generator worker LISTENs (and polls), reads
/// them, and writes only the observed columns (migration V002): heartbeat, last increment, last error.
/// </summary>
public static class SimulationControl
{
    /// <summary>The NOTIFY channel signalled after the desired state is written.</summary>
    public const string Channel = "hcp_simulation_state";

    public const string Running = "running";
    public const string Paused = "paused";
    public const string Stopped = "stopped";

    private const string SelectDesired =
        "SELECT desired_mode, seconds_per_simulated_day, scenario, config::text, updated_at FROM platform.simulation_state WHERE id = 1";

    public static async Task<DesiredState> ReadAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand(SelectDesired, connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return DesiredState.Default;
        }
        return new DesiredState(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetDouble(1), reader.GetString(2), reader.GetString(3),
            reader.GetDateTime(4));
    }

    public static async Task<DesiredState> ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadAsync(connection, ct);
    }

    /// <summary>Sets the mode; <paramref name="secondsPerSimulatedDay"/> is applied only when <paramref name="setSpeed"/>.</summary>
    public static Task<DesiredState> SetModeAsync(NpgsqlDataSource dataSource, string mode, bool setSpeed, double? secondsPerSimulatedDay, CancellationToken ct) =>
        WriteAsync(dataSource, """
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
    public static Task<DesiredState> SaveSettingsAsync(NpgsqlDataSource dataSource, string scenario, double? secondsPerSimulatedDay, SimulationSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return WriteAsync(dataSource, """
            UPDATE platform.simulation_state
            SET scenario = @scenario, seconds_per_simulated_day = @speed, config = @config, updated_at = clock_timestamp()
            WHERE id = 1
            """, cmd =>
        {
            cmd.Parameters.AddWithValue("scenario", scenario);
            cmd.Parameters.AddWithValue("speed", NpgsqlDbType.Double, (object?)secondsPerSimulatedDay ?? DBNull.Value);
            cmd.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, settings.ToJson());
        }, ct);
    }

    /// <summary>Writes the desired columns and NOTIFYs the worker in one transaction; returns the row as written.</summary>
    private static async Task<DesiredState> WriteAsync(NpgsqlDataSource dataSource, string update, Action<NpgsqlCommand> bind, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
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
        await using (var notify = new NpgsqlCommand($"NOTIFY {Channel}", connection, tx))
        {
            await notify.ExecuteNonQueryAsync(ct);
        }
        var state = await ReadAsync(connection, ct, tx);
        await tx.CommitAsync(ct);
        return state;
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

    /// <summary>Records a day a worker appended (and clears the last error).</summary>
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

    /// <summary>Records a worker's problem in the status row, on a connection the worker holds.</summary>
    public static async Task RecordErrorAsync(NpgsqlConnection connection, string message, string workerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand(
            "UPDATE platform.simulation_state SET last_error = @error, last_error_at = now(), worker_id = @worker WHERE id = 1", connection);
        cmd.Parameters.AddWithValue("error", string.Create(CultureInfo.InvariantCulture, $"{workerId}: {message}"));
        cmd.Parameters.AddWithValue("worker", workerId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a worker's failure (best effort: a broken database is what usually causes one).</summary>
    public static async Task RecordErrorAsync(NpgsqlDataSource dataSource, string message, string workerId)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
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
