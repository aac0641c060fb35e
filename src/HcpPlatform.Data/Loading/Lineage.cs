using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Loading;

/// <summary>Writes platform.generation_runs: every backfill, increment and erasure, from start to verdict.</summary>
public static class Lineage
{
    public static async Task StartAsync(NpgsqlConnection connection, Guid runId, string kind, string parametersJson, DateOnly? asOf, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO platform.generation_runs (id, kind, status, parameters, as_of, engine_version, started_at)
            VALUES (@id, @kind, 'running', @p, @asOf, @v, clock_timestamp())
            """, connection, tx);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("p", NpgsqlDbType.Jsonb, parametersJson);
        cmd.Parameters.AddWithValue("asOf", NpgsqlDbType.Date, (object?)asOf ?? DBNull.Value);
        cmd.Parameters.AddWithValue("v", Engine.Simulation.SimulationModel.EngineVersion);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task FinishAsync(
        NpgsqlConnection connection, Guid runId, string status, IReadOnlyDictionary<string, long>? counts,
        IReadOnlyDictionary<string, string>? checksums, IReadOnlyDictionary<string, double>? stageSeconds,
        string? verdict, string? error, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand("""
            UPDATE platform.generation_runs
            SET status = @status, finished_at = clock_timestamp(),
                duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint,
                counts = @counts, checksums = @checksums, stage_durations = @stages, verdict = @verdict, error = @error
            WHERE id = @id
            """, connection, tx);
        cmd.Parameters.AddWithValue("id", runId);
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.AddWithValue("counts", NpgsqlDbType.Jsonb, Json(counts));
        cmd.Parameters.AddWithValue("checksums", NpgsqlDbType.Jsonb, Json(checksums));
        cmd.Parameters.AddWithValue("stages", NpgsqlDbType.Jsonb, Json(stageSeconds));
        cmd.Parameters.AddWithValue("verdict", (object?)verdict ?? DBNull.Value);
        cmd.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static object Json<T>(T? value) where T : class => value is null ? DBNull.Value : JsonSerializer.Serialize(value);
}
