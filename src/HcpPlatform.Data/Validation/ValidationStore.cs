using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Validation;

/// <summary>A validation as stored in platform.validation_results.</summary>
public sealed record StoredValidation(
    Guid Id,
    Guid? GenerationRunId,
    string Trigger,
    DateTimeOffset StartedAt,
    long DurationMs,
    bool Passed,
    int ChecksTotal,
    int ChecksFailed,
    IReadOnlyList<CheckResult> Checks)
{
    // Derived from the fields above, so it is left out of the JSON the APIs return.
    [JsonIgnore]
    public ValidationReport Report => new(Checks, DurationMs) { StartedAt = StartedAt };
}

/// <summary>
/// Writes and reads platform.validation_results: every validation run (CLI, after a backfill or increment,
/// scheduled, on demand), its verdict and its checks as jsonb. The platform schema survives dataset swaps.
/// </summary>
public static class ValidationStore
{
    public const int MaxTriggerLength = 20;

    /// <summary>Checks as stored: camelCase, non-finite measurements written as strings so jsonb accepts them.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private const string Columns = "id, generation_run_id, trigger, started_at, duration_ms, passed, checks_total, checks_failed, checks::text";

    /// <summary>
    /// Stores a report and returns its id. <paramref name="trigger"/> says what ran it ("cli", "backfill",
    /// "increment", "schedule", "api"); <paramref name="generationRunId"/> is the platform.generation_runs row whose
    /// dataset was validated, when known. Pass <paramref name="transaction"/> to store it atomically with other work.
    /// </summary>
    public static async Task<Guid> SaveAsync(NpgsqlConnection connection, ValidationReport report, Guid? generationRunId, string trigger, CancellationToken ct,
        NpgsqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        if (trigger.Length > MaxTriggerLength)
        {
            throw new ArgumentException($"A validation trigger has at most {MaxTriggerLength} characters (got \"{trigger}\").", nameof(trigger));
        }
        var id = Guid.CreateVersion7();
        var startedAt = report.StartedAt == default ? DateTimeOffset.UtcNow.AddMilliseconds(-report.DurationMs) : report.StartedAt;
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO platform.validation_results (id, generation_run_id, trigger, started_at, duration_ms, passed, checks_total, checks_failed, checks)
            VALUES (@id, @run, @trigger, @started, @duration, @passed, @total, @failed, @checks)
            """, connection, transaction);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("run", NpgsqlDbType.Uuid, (object?)generationRunId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("trigger", trigger);
        cmd.Parameters.AddWithValue("started", startedAt.UtcDateTime);
        cmd.Parameters.AddWithValue("duration", report.DurationMs);
        cmd.Parameters.AddWithValue("passed", report.Passed);
        cmd.Parameters.AddWithValue("total", report.Checks.Count);
        cmd.Parameters.AddWithValue("failed", report.Failed);
        cmd.Parameters.AddWithValue("checks", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(report.Checks, JsonOptions));
        await cmd.ExecuteNonQueryAsync(ct);
        return id;
    }

    /// <summary>The most recently started validation, or null when none is stored.</summary>
    public static async Task<StoredValidation?> LatestAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM platform.validation_results ORDER BY started_at DESC, id DESC LIMIT 1", connection);
        return await ReadOneAsync(cmd, ct);
    }

    /// <summary>The validation with that id, or null.</summary>
    public static async Task<StoredValidation?> GetAsync(NpgsqlConnection connection, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM platform.validation_results WHERE id = @id", connection);
        cmd.Parameters.AddWithValue("id", id);
        return await ReadOneAsync(cmd, ct);
    }

    private static async Task<StoredValidation?> ReadOneAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var checks = JsonSerializer.Deserialize<List<CheckResult>>(reader.GetString(8), JsonOptions) ?? [];
        return new StoredValidation(
            reader.GetGuid(0),
            reader.IsDBNull(1) ? null : reader.GetGuid(1),
            reader.GetString(2),
            new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc)),
            reader.GetInt64(4),
            reader.GetBoolean(5),
            reader.GetInt32(6),
            reader.GetInt32(7),
            checks);
    }
}
