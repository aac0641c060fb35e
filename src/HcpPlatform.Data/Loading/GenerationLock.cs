using System.Globalization;
using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// The advisory lock that makes exactly one writer generate at a time (CLI, service replicas).
/// Held by a backfill's session for the whole run (released explicitly: a pooled session would keep it while idle; a
/// crash ends the session and the lock with it), or by the transaction of a daily increment or an erasure.
/// </summary>
public static class GenerationLock
{
    /// <summary>The ASCII bytes of "hcpgen".</summary>
    public const long Key = 0x0000_6863_7067_656E;

    public static Task<bool> TryAcquireSessionAsync(NpgsqlConnection connection, CancellationToken ct) =>
        TryAcquireSessionAsync(connection, Key, ct);

    /// <summary>Takes the session advisory lock <paramref name="key"/> if free (the generator's worker lock uses another key).</summary>
    public static async Task<bool> TryAcquireSessionAsync(NpgsqlConnection connection, long key, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", connection);
        cmd.Parameters.AddWithValue("k", key);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Releases the session lock; a connection that is gone has released it already.</summary>
    public static Task ReleaseSessionAsync(NpgsqlConnection connection) => ReleaseSessionAsync(connection, Key);

    /// <summary>Releases the session advisory lock <paramref name="key"/>; a connection that is gone has released it already.</summary>
    public static async Task ReleaseSessionAsync(NpgsqlConnection connection, long key)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", connection);
            cmd.Parameters.AddWithValue("k", key);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The session is broken: Npgsql will not pool it, and the server released its locks when it ended.
        }
    }

    public static async Task<bool> TryAcquireTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(@k)", connection, tx);
        cmd.Parameters.AddWithValue("k", Key);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Takes the lock for <paramref name="tx"/>, waiting up to <paramref name="wait"/> for a generation in progress (a
    /// backfill or a day being appended) to finish; the session's lock_timeout is back to none once it is held.
    /// </summary>
    /// <exception cref="GenerationBusyException">A generation held the lock for longer than <paramref name="wait"/>.</exception>
    public static async Task WaitTransactionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, TimeSpan wait, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture,
            $"SET LOCAL lock_timeout = '{(int)wait.TotalMilliseconds}ms'; SELECT pg_advisory_xact_lock(@k); SET LOCAL lock_timeout = 0;"), connection, tx);
        cmd.Parameters.AddWithValue("k", Key);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new GenerationBusyException(string.Create(CultureInfo.InvariantCulture,
                $"A generation (a backfill or a day being appended) held the dataset for more than {wait.TotalSeconds:0} s; nothing was changed. Try again when it finishes."));
        }
    }

    /// <summary>The backend pid holding the lock, if any (for a clear "who is generating" message).</summary>
    public static async Task<int?> HolderAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = @k LIMIT 1", connection);
        cmd.Parameters.AddWithValue("k", Key);
        return await cmd.ExecuteScalarAsync(ct) as int?;
    }
}

public sealed class GenerationBusyException(string message) : Exception(message);
