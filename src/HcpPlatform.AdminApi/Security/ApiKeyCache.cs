using System.Collections.Concurrent;
using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Security;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HcpPlatform.AdminApi.Security;

/// <summary>A key as the service knows it: never the key itself, only its hash (bytes) and non-secret facts.</summary>
public sealed record KnownKey(Guid Id, string Name, string Prefix, byte[] Hash, string Scope, DateTime? ExpiresAt, DateTime? RevokedAt);

/// <summary>What a presented key turned out to be.</summary>
public enum KeyVerdict
{
    Valid,
    Unknown,
    Expired,
    Revoked,
}

/// <summary>
/// Checks presented keys against platform.api_keys without a database round trip per request: an in-memory copy of
/// the (small) table, reloaded when older than AdminApi:KeyCacheSeconds, and at most every quarter second when a
/// well-formed key is not in it (so a key created a moment ago works at once). Candidates are found by prefix and
/// confirmed by a constant-time comparison of SHA-256 hashes. Also remembers when keys were used (written later by
/// <see cref="ApiKeyUseRecorder"/>).
/// </summary>
public sealed class ApiKeyCache(NpgsqlDataSource dataSource, IOptions<AdminApiOptions> options, TimeProvider clock) : IDisposable
{
    /// <summary>Id of the configured bootstrap key (AdminApi:BootstrapKey); it has no row.</summary>
    public static readonly Guid BootstrapKeyId = Guid.Empty;

    private static readonly TimeSpan ReloadOnMissAfter = TimeSpan.FromMilliseconds(250);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private readonly byte[]? _bootstrapHash = string.IsNullOrEmpty(options.Value.BootstrapKey) ? null : ApiKeySecret.HashBytes(options.Value.BootstrapKey);
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.KeyCacheSeconds);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(ILookup<string, KnownKey> ByPrefix, long LoadedAt);

    /// <summary>Keys used since the last flush: id → last use (UTC).</summary>
    internal ConcurrentDictionary<Guid, DateTime> PendingUses { get; } = new();

    public async Task<(KeyVerdict Verdict, KnownKey? Key)> VerifyAsync(string presented, CancellationToken ct)
    {
        var hash = ApiKeySecret.HashBytes(presented);
        if (_bootstrapHash is not null && ApiKeySecret.HashesEqual(hash, _bootstrapHash))
        {
            return (KeyVerdict.Valid, new KnownKey(BootstrapKeyId, "bootstrap (AdminApi:BootstrapKey)", "bootstrap", _bootstrapHash, ApiKeyScopes.Admin, null, null));
        }
        if (!ApiKeySecret.HasKeyShape(presented))
        {
            return (KeyVerdict.Unknown, null);
        }
        var prefix = ApiKeySecret.PrefixOf(presented);
        var snapshot = await CurrentAsync(_ttl, ct);
        var key = Find(snapshot, prefix, hash);
        if (key is null && clock.GetElapsedTime(snapshot.LoadedAt) > ReloadOnMissAfter)
        {
            key = Find(await CurrentAsync(ReloadOnMissAfter, ct), prefix, hash);
        }
        if (key is null)
        {
            return (KeyVerdict.Unknown, null);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        if (key.RevokedAt is not null)
        {
            return (KeyVerdict.Revoked, key);
        }
        if (key.ExpiresAt is { } expires && expires <= now)
        {
            return (KeyVerdict.Expired, key);
        }
        PendingUses[key.Id] = now;
        return (KeyVerdict.Valid, key);
    }

    public void Dispose() => _reload.Dispose();

    /// <summary>Forget the copy: the next request reloads it (after a revocation through the API).</summary>
    public void Invalidate() => _snapshot = null;

    private static KnownKey? Find(Snapshot snapshot, string prefix, byte[] hash)
    {
        KnownKey? found = null;
        foreach (var candidate in snapshot.ByPrefix[prefix])
        {
            if (ApiKeySecret.HashesEqual(hash, candidate.Hash))
            {
                found = candidate;
            }
        }
        return found;
    }

    private async Task<Snapshot> CurrentAsync(TimeSpan maxAge, CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && clock.GetElapsedTime(snapshot.LoadedAt) <= maxAge)
        {
            return snapshot;
        }
        await _reload.WaitAsync(ct);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && clock.GetElapsedTime(snapshot.LoadedAt) <= maxAge)
            {
                return snapshot; // another request reloaded it while this one waited
            }
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var rows = await ApiKeyStore.ListAsync(connection, ct);
            var keys = rows.Select(r => new KnownKey(r.Id, r.Name, r.KeyPrefix, ApiKeySecret.ParseHash(r.KeyHash), r.Scope, r.ExpiresAt, r.RevokedAt));
            snapshot = new Snapshot(keys.ToLookup(k => k.Prefix, StringComparer.Ordinal), clock.GetTimestamp());
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }
}

/// <summary>Writes the keys' last use to platform.api_keys every 15 seconds (and at shutdown), not on every request.</summary>
public sealed class ApiKeyUseRecorder(ApiKeyCache cache, NpgsqlDataSource dataSource, ILogger<ApiKeyUseRecorder> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var untraced = PlatformTelemetry.Untraced("api_keys.flush"); // every 15 s: bookkeeping, no traces
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    internal async Task FlushAsync(CancellationToken ct)
    {
        var uses = new List<KeyValuePair<Guid, DateTime>>();
        foreach (var id in cache.PendingUses.Keys)
        {
            if (cache.PendingUses.TryRemove(id, out var at) && id != ApiKeyCache.BootstrapKeyId)
            {
                uses.Add(new(id, at));
            }
        }
        if (uses.Count == 0)
        {
            return;
        }
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await ApiKeyStore.RecordUseAsync(connection, uses, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            Log.KeyUseNotRecorded(logger, uses.Count, e.Message);
        }
    }
}
