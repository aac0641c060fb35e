using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// Clears up after a writer that died mid-run (kill -9, a crash, a lost host). A run's live owner is the holder of the
/// generation lock: a backfill holds it on its session for the whole run and writes its "running" lineage row only once
/// it holds it; an increment, an erasure or an event adoption writes its row in the transaction that holds it, so that
/// row is never seen running. Hence whoever holds the lock and still sees a run "running" (other than its own) sees a
/// run with no live owner: it is marked abandoned with the reason, and the build schemas such runs leave (hcp_build_*,
/// hcp_old_*; half a gigabyte at 20,000 HCPs) are dropped. Every writer calls this right after taking the lock.
/// </summary>
public static class StaleRuns
{
    public const string Abandoned = "abandoned";

    public static readonly string Reason =
        "abandoned: its writer ended without finishing (killed, crashed or disconnected) and no longer held the generation lock; the previous dataset was left unchanged";

    /// <summary>
    /// Marks every run still "running" abandoned and drops leftover build schemas; call while holding the generation lock
    /// (on <paramref name="tx"/>'s transaction when given). Returns how many runs were abandoned and schemas dropped.
    /// </summary>
    public static async Task<(int Runs, int Schemas)> RecoverAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct, Guid? except = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        int runs = 0;
        // Looked for first: almost always there is none, and a plain read takes no lock that an increment's later
        // lineage INSERT does not already take.
        bool any;
        await using (var look = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM platform.generation_runs WHERE status = 'running' AND id IS DISTINCT FROM @except)", connection, tx))
        {
            look.Parameters.AddWithValue("except", NpgsqlTypes.NpgsqlDbType.Uuid, (object?)except ?? DBNull.Value);
            any = (bool)(await look.ExecuteScalarAsync(ct))!;
        }
        if (any)
        {
            await using var cmd = new NpgsqlCommand("""
                UPDATE platform.generation_runs
                SET status = @abandoned, finished_at = clock_timestamp(),
                    duration_ms = (extract(epoch FROM clock_timestamp() - started_at) * 1000)::bigint,
                    error = coalesce(error || '; ', '') || @reason
                WHERE status = 'running' AND id IS DISTINCT FROM @except
                """, connection, tx);
            cmd.Parameters.AddWithValue("abandoned", Abandoned);
            cmd.Parameters.AddWithValue("reason", Reason);
            cmd.Parameters.AddWithValue("except", NpgsqlTypes.NpgsqlDbType.Uuid, (object?)except ?? DBNull.Value);
            runs = await cmd.ExecuteNonQueryAsync(ct);
        }
        var schemas = await BuildSchema.DropLeftoversAsync(connection, ct, tx);
        return (runs, schemas);
    }
}
