using HcpPlatform.Data.Platform;
using Npgsql;
using NpgsqlTypes;

namespace HcpPlatform.Data.Security;

/// <summary>A key just created: its row and the key itself, which exists nowhere else and is shown once.</summary>
public sealed record CreatedApiKey(ApiKey Row, string Key);

/// <summary>What a key is now: usable, expired or revoked.</summary>
public static class ApiKeyState
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Revoked = "revoked";

    public static string Of(ApiKey key, DateTime utcNow) =>
        key.RevokedAt is not null ? Revoked : key.ExpiresAt is { } e && e <= utcNow ? Expired : Active;
}

/// <summary>
/// platform.api_keys (seeds/004 api_keys): create (the key is returned once, only its hash and prefix are stored),
/// list, revoke, and record use. Used by <c>hcp keys</c> and by the admin API.
/// </summary>
public static class ApiKeyStore
{
    public const int MaxNameLength = 100;
    public const int MaxExpiryDays = 3650;

    private const string Columns = "id, name, key_prefix, key_hash, scope, created_at, expires_at, revoked_at, last_used_at";

    /// <summary>Problems with a name and scope, each naming what is allowed; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(string? name, string? scope, int? expiresDays)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors.Add($"The name must be 1 to {MaxNameLength} printable characters (got '{name}').");
        }
        if (!ApiKeyScopes.IsValid(scope))
        {
            errors.Add($"The scope '{scope}' is not allowed; allowed: {string.Join(", ", ApiKeyScopes.All)}.");
        }
        if (expiresDays is { } d && (d < 1 || d > MaxExpiryDays))
        {
            errors.Add($"The expiry is {d} days, outside the allowed range 1 to {MaxExpiryDays}.");
        }
        return errors;
    }

    /// <summary>Creates a key; throws <see cref="ArgumentException"/> with every problem when the input is not valid.</summary>
    public static async Task<CreatedApiKey> CreateAsync(NpgsqlConnection connection, string name, string scope, int? expiresDays, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var errors = Validate(name, scope, expiresDays);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
        var key = ApiKeySecret.Generate();
        var now = DateTime.UtcNow;
        var row = new ApiKey
        {
            Id = Guid.CreateVersion7(),
            Name = name.Trim(),
            KeyPrefix = ApiKeySecret.PrefixOf(key),
            KeyHash = ApiKeySecret.Hash(key),
            Scope = scope,
            CreatedAt = now,
            ExpiresAt = expiresDays is { } days ? now.AddDays(days) : null,
        };
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO platform.api_keys (id, name, key_prefix, key_hash, scope, created_at, expires_at)
            VALUES (@id, @name, @prefix, @hash, @scope, @created, @expires)
            """, connection);
        cmd.Parameters.AddWithValue("id", row.Id);
        cmd.Parameters.AddWithValue("name", row.Name);
        cmd.Parameters.AddWithValue("prefix", row.KeyPrefix);
        cmd.Parameters.AddWithValue("hash", row.KeyHash);
        cmd.Parameters.AddWithValue("scope", row.Scope);
        cmd.Parameters.AddWithValue("created", row.CreatedAt);
        cmd.Parameters.AddWithValue("expires", NpgsqlDbType.TimestampTz, (object?)row.ExpiresAt ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
        return new CreatedApiKey(row, key);
    }

    /// <summary>Every key, newest first (hashes included: callers show only prefixes).</summary>
    public static async Task<IReadOnlyList<ApiKey>> ListAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM platform.api_keys ORDER BY created_at DESC, id DESC", connection);
        return await ReadAsync(cmd, ct);
    }

    /// <summary>
    /// Revokes the key with that id, or the one key whose prefix is that text. Returns the keys that matched:
    /// none (nothing done), one (revoked now, or already revoked before), or several (an ambiguous prefix; nothing done).
    /// </summary>
    public static async Task<IReadOnlyList<ApiKey>> RevokeAsync(NpgsqlConnection connection, string idOrPrefix, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(idOrPrefix);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var find = new NpgsqlCommand(
            $"SELECT {Columns} FROM platform.api_keys WHERE id = @id OR key_prefix = @prefix FOR UPDATE", connection, tx);
        find.Parameters.AddWithValue("id", NpgsqlDbType.Uuid, Guid.TryParse(idOrPrefix, out var id) ? id : Guid.Empty);
        find.Parameters.AddWithValue("prefix", idOrPrefix);
        var matches = await ReadAsync(find, ct);
        if (matches.Count == 1 && matches[0].RevokedAt is null)
        {
            await using var revoke = new NpgsqlCommand(
                "UPDATE platform.api_keys SET revoked_at = clock_timestamp() WHERE id = @id RETURNING revoked_at", connection, tx);
            revoke.Parameters.AddWithValue("id", matches[0].Id);
            matches[0].RevokedAt = (DateTime)(await revoke.ExecuteScalarAsync(ct))!;
        }
        await tx.CommitAsync(ct);
        return matches;
    }

    /// <summary>Records when keys were last used (one statement for many keys); never moves a time backwards.</summary>
    public static async Task RecordUseAsync(NpgsqlConnection connection, IReadOnlyCollection<KeyValuePair<Guid, DateTime>> uses, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(uses);
        if (uses.Count == 0)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand("""
            UPDATE platform.api_keys k SET last_used_at = u.at
            FROM unnest(@ids, @ats) AS u(id, at)
            WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)
            """, connection);
        cmd.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, uses.Select(u => u.Key).ToArray());
        cmd.Parameters.AddWithValue("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, uses.Select(u => u.Value).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<ApiKey>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var keys = new List<ApiKey>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            keys.Add(new ApiKey
            {
                Id = reader.GetGuid(0),
                Name = reader.GetString(1),
                KeyPrefix = reader.GetString(2),
                KeyHash = reader.GetString(3),
                Scope = reader.GetString(4),
                CreatedAt = reader.GetDateTime(5),
                ExpiresAt = reader.IsDBNull(6) ? null : reader.GetDateTime(6),
                RevokedAt = reader.IsDBNull(7) ? null : reader.GetDateTime(7),
                LastUsedAt = reader.IsDBNull(8) ? null : reader.GetDateTime(8),
            });
        }
        return keys;
    }
}
