using System.Text.Json;
using HcpPlatform.Data.Loading;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Privacy;

public sealed record ErasureResult(Guid RequestId, bool Found, IReadOnlyDictionary<string, long> Deleted);

public sealed record AccessResult(Guid RequestId, string Json);

/// <summary>
/// Privacy requests (seeds/004 privacy_requests): erase one HCP and everything about them in one
/// transaction, or export everything held about them. Each request leaves an audit row in
/// platform.privacy_requests and (for erasure) a lineage row. Erased HCPs stay erased: daily increments
/// and regenerations skip every NPI with a completed deletion request.
/// </summary>
public static class PrivacyRequests
{
    public static readonly string[] Regulations = ["gdpr", "ccpa", "hipaa"];

    private static readonly string[] HcpTables =
        ["stimuli_events", "outcome_events", "prescribing_history", "territory_assignments", "campaign_participation", "hcp_contact_limits"];

    public static async Task<ErasureResult> EraseAsync(NpgsqlDataSource dataSource, string npi, string regulation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await GenerationLock.TryAcquireTransactionAsync(connection, tx, ct))
        {
            throw new GenerationBusyException("A generation is running; the erasure was not applied. Try again when it finishes.");
        }
        await StaleRuns.RecoverAsync(connection, tx, ct);
        var requestId = Guid.CreateVersion7();
        var hcpId = await HcpIdAsync(connection, tx, npi, ct);
        var deleted = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (hcpId is { } id)
        {
            foreach (var table in HcpTables)
            {
                deleted[table] = await ScalarAsync(connection, tx, $"SELECT count(*) FROM hcp.{table} WHERE hcp_id = @id", id, ct);
            }
            // Foreign keys cascade from the profile to every row about the HCP.
            deleted["hcp_profiles"] = await ExecuteAsync(connection, tx, "DELETE FROM hcp.hcp_profiles WHERE id = @id", id, ct);
            // The touches external systems planned for the HCP are about it too (a platform table: no cascade from the profile).
            deleted["planned_touches"] = await ExecuteAsync(connection, tx, "DELETE FROM platform.planned_touches WHERE hcp_id = @id", id, ct);
            await ExecuteAsync(connection, tx, "UPDATE hcp.dataset_info SET hcp_count = hcp_count - 1, updated_at = now()", id, ct);
        }
        await InsertRequestAsync(connection, tx, requestId, "deletion", npi, hcpId, regulation, hcpId is null ? "denied" : "completed",
            JsonSerializer.Serialize(hcpId is null ? (object)new { reason = "no HCP with this NPI in the dataset" } : new { deleted }), ct);
        if (hcpId is not null)
        {
            var runId = Guid.CreateVersion7();
            await Lineage.StartAsync(connection, runId, "erasure", JsonSerializer.Serialize(new { npi, regulation, requestId }), null, ct, tx);
            await Lineage.FinishAsync(connection, runId, "succeeded", deleted, null, null, null, null, ct, tx);
        }
        await tx.CommitAsync(ct);
        return new ErasureResult(requestId, hcpId is not null, deleted);
    }

    /// <summary>
    /// Everything held about one HCP as one JSON document, handed to <paramref name="deliver"/> (which writes it out);
    /// null when the NPI is not in the dataset. The audit row says completed only once <paramref name="deliver"/> has
    /// returned; when it throws, the row says failed, with the error, and the exception goes on to the caller.
    /// </summary>
    public static async Task<AccessResult?> AccessAsync(NpgsqlDataSource dataSource, string npi, Func<string, CancellationToken, Task> deliver, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deliver);
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var hcpId = await HcpIdAsync(connection, tx, npi, ct);
        var requestId = Guid.CreateVersion7();
        if (hcpId is not { } id)
        {
            await InsertRequestAsync(connection, tx, requestId, "access", npi, null, "ccpa", "denied", "{\"reason\": \"no HCP with this NPI in the dataset\"}", ct);
            await tx.CommitAsync(ct);
            return null;
        }
        const string sql = """
            SELECT jsonb_pretty(jsonb_build_object(
                'profile', (SELECT to_jsonb(p) FROM hcp.hcp_profiles p WHERE p.id = @id),
                'territory_assignments', (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.is_primary DESC), '[]') FROM hcp.territory_assignments t WHERE t.hcp_id = @id),
                'campaign_participation', (SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.enrolled_at), '[]') FROM hcp.campaign_participation c WHERE c.hcp_id = @id),
                'contact_limits', (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.channel), '[]') FROM hcp.hcp_contact_limits l WHERE l.hcp_id = @id),
                'stimuli_events', (SELECT coalesce(jsonb_agg(to_jsonb(s) ORDER BY s.event_date), '[]') FROM hcp.stimuli_events s WHERE s.hcp_id = @id),
                'outcome_events', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.event_date), '[]') FROM hcp.outcome_events o WHERE o.hcp_id = @id),
                'prescribing_history', (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r.month), '[]') FROM hcp.prescribing_history r WHERE r.hcp_id = @id)))
            """;
        string json;
        await using (var cmd = new NpgsqlCommand(sql, connection, tx))
        {
            cmd.Parameters.AddWithValue("id", id);
            json = (string)(await cmd.ExecuteScalarAsync(ct))!;
        }
        try
        {
            await deliver(json, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var details = JsonSerializer.Serialize(new { exported = false, error = $"{e.GetType().Name}: {e.Message}" });
            await InsertRequestAsync(connection, tx, requestId, "access", npi, id, "ccpa", "failed", details, ct);
            await tx.CommitAsync(ct);
            throw;
        }
        await InsertRequestAsync(connection, tx, requestId, "access", npi, id, "ccpa", "completed", "{\"exported\": true}", ct);
        await tx.CommitAsync(ct);
        return new AccessResult(requestId, json);
    }

    /// <summary>NPIs with a completed deletion request: never generated again.</summary>
    public static async Task<HashSet<string>> ErasedNpisAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("SELECT npi FROM platform.privacy_requests WHERE request_type = 'deletion' AND status = 'completed'", connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    private static async Task<Guid?> HcpIdAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string npi, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT id FROM hcp.hcp_profiles WHERE npi = @npi", connection, tx);
        cmd.Parameters.AddWithValue("npi", npi);
        return await cmd.ExecuteScalarAsync(ct) as Guid?;
    }

    private static async Task InsertRequestAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid id, string type, string npi, Guid? hcpId,
        string regulation, string status, string details, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO platform.privacy_requests (id, request_type, npi, hcp_id, regulation, status, requested_at, completed_at, details)
            VALUES (@id, @type, @npi, @hcp, @regulation, @status, now(), now(), @details)
            """, connection, tx);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("type", type);
        cmd.Parameters.AddWithValue("npi", npi);
        cmd.Parameters.AddWithValue("hcp", NpgsqlDbType.Uuid, (object?)hcpId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("regulation", regulation);
        cmd.Parameters.AddWithValue("status", status);
        cmd.Parameters.AddWithValue("details", NpgsqlDbType.Jsonb, details);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, Guid id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        cmd.Parameters.AddWithValue("id", id);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, Guid id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
