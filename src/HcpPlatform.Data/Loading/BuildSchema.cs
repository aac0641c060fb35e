using System.Text.RegularExpressions;
using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>What a key or index statement does, in the order the kinds must run for a table.</summary>
public enum KeyKind
{
    /// <summary>Builds an index (a primary or unique key's as a plain unique index): reads the table, does not stop readers.</summary>
    Index,

    /// <summary>Makes a primary or unique key a constraint on its already built index: instant, but locks the table exclusively.</summary>
    KeyConstraint,

    ForeignKey,
}

public sealed record KeyOrIndex(string Table, string Sql, KeyKind Kind);

/// <summary>
/// A fresh schema beside the live "hcp" one, with the same tables: created bare for fast COPY, then
/// given the live tables' keys, foreign keys and indexes (read from the catalog, so the migrations stay
/// the single definition), then swapped in by renaming both schemas in one transaction.
/// </summary>
public static partial class BuildSchema
{
    public const string Live = HcpDbContext.DatasetSchema;
    public const string Prefix = "hcp_build_";

    public static string NameFor(Guid runId) => Prefix + runId.ToString("N")[..12];

    /// <summary>Drops build schemas a crashed or killed run left behind (call while holding the generation lock).</summary>
    public static async Task<int> DropLeftoversAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var names = new List<string>();
        await using (var cmd = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hcp\\_build\\_%' OR nspname LIKE 'hcp\\_old\\_%'", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                names.Add(reader.GetString(0));
            }
        }
        foreach (var name in names)
        {
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS \"{name}\" CASCADE", ct, tx);
        }
        return names.Count;
    }

    public static Task CreateSchemaAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        ExecuteAsync(connection, $"CREATE SCHEMA \"{schema}\"", ct);

    /// <summary>
    /// Per table, the statements that create a bare copy of the live table (columns, defaults, NOT NULL), to run in the
    /// transaction that loads it. Its jsonb columns get a statistics target of 0: their statistics cost most of an ANALYZE
    /// and serve no query plan here, and a column left out this way (unlike one left out of ANALYZE's column list) still
    /// lets ANALYZE reset the table's count of changes, so autovacuum does not analyze it again after the swap.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> CreateTableStatementsAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var statements = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname, coalesce(string_agg(quote_ident(a.attname), ',' ORDER BY a.attnum) FILTER (WHERE a.atttypid = 'jsonb'::regtype), '')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = @s AND c.relkind = 'r'
            GROUP BY c.relname
            """, connection);
        cmd.Parameters.AddWithValue("s", Live);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (table, jsonb) = (reader.GetString(0), reader.GetString(1));
            var target = $"\"{schema}\".{table}";
            var create = $"CREATE TABLE {target} (LIKE {Live}.{table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)";
            statements[table] = jsonb.Length == 0 ? create
                : $"{create}; ALTER TABLE {target} {string.Join(", ", jsonb.Split(',').Select(c => $"ALTER COLUMN {c} SET STATISTICS 0"))}";
        }
        return statements;
    }

    /// <summary>A table's column names, quoted, in their order.</summary>
    public static async Task<IReadOnlyList<string>> ColumnsAsync(NpgsqlConnection connection, string schema, string table, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var columns = new List<string>();
        await using var cmd = new NpgsqlCommand(
            "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = to_regclass(@table) AND attnum > 0 AND NOT attisdropped ORDER BY attnum", connection, tx);
        cmd.Parameters.AddWithValue("table", $"\"{schema}\".{table}");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            columns.Add(reader.GetString(0));
        }
        return columns.Count > 0 ? columns : throw new InvalidOperationException($"Table \"{schema}\".{table} does not exist.");
    }

    /// <summary>
    /// The live schema's keys and indexes, rewritten for the build schema, in the order to run them per table: every
    /// index (a primary or unique key's as a plain unique index), then each such key made a constraint on its index,
    /// then the foreign keys. Building a key's index first and attaching it afterwards keeps the long part under a lock
    /// that does not stop other sessions from reading the table (the aggregates and checks read the events while their
    /// indexes build).
    /// </summary>
    public static async Task<IReadOnlyList<KeyOrIndex>> KeysAndIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var statements = new List<KeyOrIndex>();
        // search_path is emptied so the catalog functions qualify every name with its schema.
        await ExecuteAsync(connection, "SET search_path TO ''", ct);
        try
        {
            const string constraints = """
                SELECT c.conname, t.relname, c.contype::text, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                JOIN pg_class t ON t.oid = c.conrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = @s AND c.contype IN ('p', 'u', 'f')
                ORDER BY c.contype = 'f', t.relname, c.conname
                """;
            var foreignKeys = new List<KeyOrIndex>();
            var attachKeys = new List<KeyOrIndex>();
            await using (var cmd = new NpgsqlCommand(constraints, connection))
            {
                cmd.Parameters.AddWithValue("s", Live);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var (name, table, type, def) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                    var target = $"\"{schema}\".{table}";
                    if (type == "f")
                    {
                        foreignKeys.Add(new KeyOrIndex(table, $"ALTER TABLE {target} ADD CONSTRAINT {name} {LiveReference().Replace(def, $"REFERENCES \"{schema}\".")}", KeyKind.ForeignKey));
                        continue;
                    }
                    // "PRIMARY KEY (id)" or "UNIQUE (a, b)": the index, then the constraint made on it.
                    var key = KeyColumns().Match(def);
                    if (!key.Success)
                    {
                        throw new InvalidOperationException($"Constraint {name} of {Live}.{table} has a definition the loader cannot rebuild: {def}");
                    }
                    statements.Add(new KeyOrIndex(table, $"CREATE UNIQUE INDEX {name} ON {target} {key.Groups["columns"].Value}", KeyKind.Index));
                    attachKeys.Add(new KeyOrIndex(table, $"ALTER TABLE {target} ADD CONSTRAINT {name} {key.Groups["kind"].Value} USING INDEX {name}", KeyKind.KeyConstraint));
                }
            }
            const string indexes = """
                SELECT t.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = @s
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))
                ORDER BY t.relname, i.indexrelid::regclass::text
                """;
            await using (var cmd = new NpgsqlCommand(indexes, connection))
            {
                cmd.Parameters.AddWithValue("s", Live);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var table = reader.GetString(0);
                    statements.Add(new KeyOrIndex(table, LiveOn().Replace(reader.GetString(1), $" ON \"{schema}\"."), KeyKind.Index));
                }
            }
            statements.AddRange(attachKeys);
            statements.AddRange(foreignKeys);
        }
        finally
        {
            await ExecuteAsync(connection, "RESET search_path", ct);
        }
        return statements;
    }

    /// <summary>
    /// A VACUUM (ANALYZE) of a build schema table, to run once the table is committed: the planner needs the statistics
    /// for the checks and the first queries after the swap, and a table vacuumed and analyzed after its last change gives
    /// autovacuum nothing to redo right after the swap (see <see cref="CreateTableStatementsAsync"/> for the jsonb columns).
    /// </summary>
    public static string VacuumAnalyzeSql(string schema, string table) => $"VACUUM (ANALYZE) \"{schema}\".{table}";

    /// <summary>
    /// Sends this session's pending table statistics (rows inserted and updated) to the server's shared counters now. A
    /// session reports them at most once a second, so without this a VACUUM (ANALYZE) right after a load would be
    /// followed by the load's own counts, and autovacuum would process the table again. (PostgreSQL 15 and later.)
    /// </summary>
    public const string FlushStatistics =
        "DO $$ BEGIN PERFORM pg_stat_force_next_flush(); EXCEPTION WHEN undefined_function THEN NULL; END $$";

    /// <summary>Replaces the live dataset with the build schema in one transaction; readers see the old or the new, never a mix.</summary>
    public static async Task SwapAsync(NpgsqlConnection connection, string schema, Func<NpgsqlConnection, NpgsqlTransaction, Task>? inSameTransaction, CancellationToken ct)
    {
        var old = "hcp_old_" + schema[Prefix.Length..];
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, $"ALTER SCHEMA {Live} RENAME TO \"{old}\"", ct, tx);
        await ExecuteAsync(connection, $"ALTER SCHEMA \"{schema}\" RENAME TO {Live}", ct, tx);
        await ExecuteAsync(connection, $"DROP SCHEMA \"{old}\" CASCADE", ct, tx);
        if (inSameTransaction is not null)
        {
            await inSameTransaction(connection, tx);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Session settings for index builds: sorts in memory up to this much (the default, 64MB, spills the event tables' sorts
    /// to disk), and no parallel workers: the loader already builds indexes beside other work (the COPY streams, the
    /// aggregates), and workers only took CPU from it (touch totals at load_test scale 9.5 s beside parallel index builds,
    /// 5.0–5.8 s beside serial ones; the whole run 55.8–58.8 s → 52.0–52.1 s).
    /// </summary>
    public const string IndexBuildSettings = "SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 0";

    /// <summary>Runs index statements one after another on a connection of their own, each in its own transaction.</summary>
    public static async Task BuildIndexesAsync(NpgsqlDataSource dataSource, IEnumerable<string> statements, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, IndexBuildSettings, ct);
        foreach (var sql in statements)
        {
            await ExecuteAsync(connection, sql, ct);
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    [GeneratedRegex(@"REFERENCES hcp\.")]
    private static partial Regex LiveReference();

    [GeneratedRegex(@" ON hcp\.")]
    private static partial Regex LiveOn();

    [GeneratedRegex(@"^(?<kind>PRIMARY KEY|UNIQUE) (?<columns>\(.+\))$")]
    private static partial Regex KeyColumns();
}
