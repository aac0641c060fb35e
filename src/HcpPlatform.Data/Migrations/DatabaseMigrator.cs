using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace HcpPlatform.Data.Migrations;

/// <summary>
/// Applies the embedded V###__name.sql scripts in version order and records them in
/// <c>platform.schema_migrations</c>. Each script runs in one transaction together with its history row,
/// so a failed or killed migration leaves nothing behind. A session-level advisory lock serialises
/// concurrent migrators (the migration worker, a CLI command, a service run on its own): the second one waits, then
/// finds nothing to do.
/// Scripts must therefore be transactional (no CREATE INDEX CONCURRENTLY, no CREATE DATABASE).
/// </summary>
public static class DatabaseMigrator
{
    /// <summary>
    /// Key of the advisory lock every migrator holds while it migrates: the ASCII bytes of "hcpmigr".
    /// Advisory locks are per database, so migrators of different databases never wait for each other.
    /// </summary>
    public const long AdvisoryLockKey = 0x0068_6370_6D69_6772;

    public const string HistoryTable = "platform.schema_migrations";

    private const string CreateHistorySql = """
        CREATE SCHEMA IF NOT EXISTS platform;
        CREATE TABLE IF NOT EXISTS platform.schema_migrations (
            version integer NOT NULL PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamp with time zone NOT NULL DEFAULT now()
        );
        """;

    /// <summary>Applies every embedded migration the database does not have yet.</summary>
    public static Task<MigrationReport> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken ct) =>
        MigrateAsync(dataSource, EmbeddedScripts, ct);

    private static readonly IReadOnlyList<MigrationScript> EmbeddedScripts = MigrationScript.LoadEmbedded();

    /// <summary>Applies the given scripts; the seam tests use to inject failing or slow migrations.</summary>
    internal static async Task<MigrationReport> MigrateAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<MigrationScript> scripts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var ordered = MigrationScript.Ordered(scripts);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.CommandTimeout = 0; // Waiting for another migrator is expected; ct bounds it.
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        try
        {
            return await MigrateLockedAsync(connection, scripts, ordered, ct);
        }
        finally
        {
            // Released here on every way out (a pooled session would otherwise keep it while idle); a crash ends the
            // session, and the lock with it.
            await Loading.GenerationLock.ReleaseSessionAsync(connection, AdvisoryLockKey);
        }
    }

    private static async Task<MigrationReport> MigrateLockedAsync(
        NpgsqlConnection connection, IReadOnlyList<MigrationScript> scripts, IReadOnlyList<MigrationScript> ordered, CancellationToken ct)
    {
        // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can otherwise collide.
        await using (var create = new NpgsqlCommand(CreateHistorySql, connection))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var recorded = await ReadHistoryAsync(connection, ct);
        VerifyChecksums(ordered, recorded);

        var applied = new List<AppliedMigration>();
        foreach (var script in ordered.Where(s => !recorded.ContainsKey(s.Version)))
        {
            applied.Add(await ApplyAsync(connection, script, ct));
        }

        // The universal views are not versioned: they follow the current tables and this build's script, so they are
        // re-created (still under the lock) after migrations, or when missing or made by another script.
        if (ReferenceEquals(scripts, EmbeddedScripts) && (applied.Count > 0 || !await Universal.UniversalViews.AreCurrentAsync(connection, ct)))
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await Universal.UniversalViews.ApplyAsync(connection, tx, ct);
            await tx.CommitAsync(ct);
        }

        return new MigrationReport(applied, [.. recorded.Keys.Order()], []);
    }

    /// <summary>Embedded migrations the database has not recorded yet (all of them for an empty database).</summary>
    public static async Task<IReadOnlyList<MigrationScript>> GetPendingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var scripts = MigrationScript.LoadEmbedded();
        await using var connection = await dataSource.OpenConnectionAsync(ct);

        await using (var exists = new NpgsqlCommand("SELECT to_regclass('platform.schema_migrations') IS NOT NULL", connection))
        {
            if (await exists.ExecuteScalarAsync(ct) is not true)
            {
                return scripts;
            }
        }

        var recorded = await ReadHistoryAsync(connection, ct);
        return [.. scripts.Where(s => !recorded.ContainsKey(s.Version))];
    }

    private static async Task<AppliedMigration> ApplyAsync(NpgsqlConnection connection, MigrationScript script, CancellationToken ct)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
            {
                command.CommandTimeout = 0; // A migration over a large dataset may take minutes; ct bounds it.
                await command.ExecuteNonQueryAsync(ct);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO platform.schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, now())",
                connection, transaction))
            {
                record.Parameters.AddWithValue("version", script.Version);
                record.Parameters.AddWithValue("name", script.Name);
                record.Parameters.AddWithValue("checksum", script.Checksum);
                await record.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (NpgsqlException e) when (!ct.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"Migration {script} failed and was rolled back (nothing of it was applied): {e.Message}", e);
        }

        return new AppliedMigration(script.Version, script.Name, script.Checksum, stopwatch.Elapsed);
    }

    private static async Task<Dictionary<int, RecordedMigration>> ReadHistoryAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var recorded = new Dictionary<int, RecordedMigration>();
        await using var command = new NpgsqlCommand("SELECT version, name, checksum FROM platform.schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var version = reader.GetInt32(0);
            recorded[version] = new RecordedMigration(version, reader.GetString(1), reader.GetString(2));
        }
        return recorded;
    }

    private static void VerifyChecksums(IReadOnlyList<MigrationScript> scripts, Dictionary<int, RecordedMigration> recorded)
    {
        // Versions recorded but unknown to this build (a newer build migrated) are left alone on purpose:
        // an older replica restarting during a rollout must not fail.
        foreach (var script in scripts)
        {
            if (recorded.TryGetValue(script.Version, out var applied)
                && !string.Equals(applied.Checksum, script.Checksum, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Migration {script} was applied to this database with checksum {applied.Checksum}, but the embedded " +
                    $"script now has checksum {script.Checksum}. An applied migration must never be edited: restore the " +
                    $"original script and put the change in a new V### migration (or recreate the database)."));
            }
        }
    }

    private sealed record RecordedMigration(int Version, string Name, string Checksum);
}
