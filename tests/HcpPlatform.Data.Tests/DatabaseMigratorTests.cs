using HcpPlatform.Data.Migrations;
using HcpPlatform.Postgres;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.Data.Tests;

[Collection(PostgresFixture.CollectionName)]
public sealed class DatabaseMigratorTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static IReadOnlyList<MigrationScript> Embedded => MigrationScript.LoadEmbedded();

    [Fact]
    public void Embedded_scripts_are_found_in_version_order_with_checksums()
    {
        var scripts = Embedded;

        var first = scripts[0];
        Assert.Equal(1, first.Version);
        Assert.Equal("initial_schema", first.Name);
        Assert.Equal("V001__initial_schema", first.DisplayName);
        Assert.Matches("^[0-9a-f]{64}$", first.Checksum);
        Assert.Equal(scripts.Select(s => s.Version).Order(), scripts.Select(s => s.Version));
    }

    [Fact]
    public void Checksum_ignores_line_ending_style()
    {
        var lf = new MigrationScript(5, "x", "SELECT 1;\nSELECT 2;\n");
        var crlf = new MigrationScript(5, "x", "SELECT 1;\r\nSELECT 2;\r\n");

        Assert.Equal(lf.Checksum, crlf.Checksum);
    }

    [Fact]
    public async Task Migrating_records_every_script_with_its_checksum()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        Assert.Equal(Embedded.Select(s => s.Version), (await DatabaseMigrator.GetPendingAsync(DataSources.For(connectionString), default)).Select(s => s.Version));

        var report = await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);

        Assert.Equal(Embedded.Select(s => s.Version), report.Applied.Select(a => a.Version));
        Assert.Empty(report.AlreadyApplied);
        Assert.Empty(report.Pending);
        Assert.Equal(Embedded[^1].Version, report.CurrentVersion);
        var history = await ReadHistoryAsync(connectionString);
        Assert.Equal(Embedded.Select(s => $"{s.Version} {s.Name} {s.Checksum}"), history.Select(h => $"{h.Version} {h.Name} {h.Checksum}"));
        Assert.Empty(await DatabaseMigrator.GetPendingAsync(DataSources.For(connectionString), default));
    }

    [Fact]
    public async Task Migrating_twice_is_a_no_op()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);
        var before = await ReadHistoryAsync(connectionString);

        var second = await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);

        Assert.True(second.NothingToDo);
        Assert.Empty(second.Applied);
        Assert.Equal(Embedded.Select(s => s.Version), second.AlreadyApplied);
        Assert.Equal(before, await ReadHistoryAsync(connectionString));
    }

    [Fact]
    public async Task The_universal_views_are_re_created_only_when_missing_or_made_by_another_script()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);
        Task<long> EntitiesOid() => Sql.ScalarAsync<long>(connectionString, "SELECT coalesce(to_regclass('universal.entities')::oid::bigint, 0)");
        var created = await EntitiesOid();
        Assert.NotEqual(0, created);

        // Current: left alone (re-creating takes exclusive locks and leaves dead catalog rows on every command).
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);
        Assert.Equal(created, await EntitiesOid());

        // Made by another build's script: re-created.
        await ExecuteAsync(connectionString, "COMMENT ON SCHEMA universal IS 'universal views 0123456789abcdef'");
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);
        var recreated = await EntitiesOid();
        Assert.NotEqual(created, recreated);

        // One missing: re-created.
        await ExecuteAsync(connectionString, "DROP VIEW universal.segments");
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);
        Assert.True(await RelationExistsAsync(connectionString, "universal.segments"));
        Assert.NotEqual(recreated, await EntitiesOid());
    }

    [Fact]
    public async Task A_migration_failing_midway_is_rolled_back_entirely_and_not_recorded()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var broken = new MigrationScript(900, "broken", """
            CREATE TABLE hcp.half_applied (id integer PRIMARY KEY);
            INSERT INTO hcp.half_applied VALUES (1);
            SELECT 1 / 0;
            CREATE TABLE hcp.never_reached (id integer);
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), [.. Embedded, broken], default));

        Assert.Contains("V900__broken", error.Message, StringComparison.Ordinal);
        Assert.Contains("rolled back", error.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(error.InnerException);
        Assert.False(await RelationExistsAsync(connectionString, "hcp.half_applied"));
        Assert.False(await RelationExistsAsync(connectionString, "hcp.never_reached"));
        // The migrations before the broken one were committed in their own transactions.
        Assert.Equal(Embedded.Select(s => s.Version), (await ReadHistoryAsync(connectionString)).Select(h => h.Version));
    }

    [Fact]
    public async Task A_migration_whose_backend_is_killed_leaves_nothing_behind()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var slow = new MigrationScript(901, "slow", """
            CREATE TABLE hcp.killed_midway (id integer);
            SELECT pg_sleep(60);
            """);
        var migration = DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), [.. Embedded, slow], default);

        var backend = await WaitForBackendRunningAsync(connectionString, "SELECT pg_sleep(60)");
        await ExecuteAsync(connectionString, $"SELECT pg_terminate_backend({backend})");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migration);
        Assert.Contains("V901__slow", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        Assert.False(await RelationExistsAsync(connectionString, "hcp.killed_midway"));
        Assert.DoesNotContain(901, (await ReadHistoryAsync(connectionString)).Select(h => h.Version));

        // The killed session held the advisory lock; its death released it, so the next migrator proceeds.
        using var timeout = new CancellationTokenSource(Deadline);
        var next = await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), timeout.Token);
        Assert.True(next.NothingToDo);
    }

    [Fact]
    public async Task Concurrent_migrators_both_succeed_and_apply_each_migration_once()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        // A slow first statement widens the window in which the migrators race.
        var slow = new MigrationScript(902, "slow_marker", """
            SELECT pg_sleep(0.3);
            CREATE TABLE hcp.concurrency_marker (id integer);
            """);
        IReadOnlyList<MigrationScript> scripts = [.. Embedded, slow];
        using var timeout = new CancellationTokenSource(Deadline);

        var reports = await Task.WhenAll(Enumerable.Range(0, 3).Select(
            _ => Task.Run(() => DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), scripts, timeout.Token))));

        var appliedVersions = reports.SelectMany(r => r.Applied).Select(a => a.Version).Order().ToList();
        Assert.Equal(scripts.Select(s => s.Version), appliedVersions);
        Assert.Equal(2, reports.Count(r => r.NothingToDo));
        Assert.Equal(scripts.Select(s => s.Version), (await ReadHistoryAsync(connectionString)).Select(h => h.Version));
        Assert.True(await RelationExistsAsync(connectionString, "hcp.concurrency_marker"));
    }

    [Fact]
    public async Task An_edited_applied_migration_fails_with_a_clear_message()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), default);
        var original = Embedded[0];
        var edited = new MigrationScript(original.Version, original.Name, original.Sql + "\n-- edited after it was applied\n");
        var later = new MigrationScript(903, "after_edit", "CREATE TABLE hcp.after_edit (id integer);");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => DatabaseMigrator.MigrateAsync(DataSources.For(connectionString), [edited, .. Embedded.Skip(1), later], default));

        Assert.Contains("V001__initial_schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        Assert.Contains(original.Checksum, error.Message, StringComparison.Ordinal);
        Assert.Contains(edited.Checksum, error.Message, StringComparison.Ordinal);
        Assert.False(await RelationExistsAsync(connectionString, "hcp.after_edit"));
    }

    [Fact]
    public async Task CreateDatabaseIfMissing_creates_once()
    {
        var name = "created_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = postgres.Cluster.GetConnectionString(name);

        Assert.True(await PostgresDatabases.CreateIfMissingAsync(connectionString, default));
        Assert.False(await PostgresDatabases.CreateIfMissingAsync(connectionString, default));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        Assert.Equal(name, await command.ExecuteScalarAsync());
    }

    private sealed record HistoryRow(int Version, string Name, string Checksum, DateTime AppliedAt);

    private static async Task<List<HistoryRow>> ReadHistoryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT version, name, checksum, applied_at FROM platform.schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<HistoryRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new HistoryRow(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3)));
        }
        return rows;
    }

    private static Task<bool> RelationExistsAsync(string connectionString, string name) =>
        Sql.ScalarAsync<bool>(connectionString, $"SELECT to_regclass('{name}') IS NOT NULL");

    private static Task<int> ExecuteAsync(string connectionString, string sql) => Sql.ExecuteAsync(connectionString, sql);

    /// <summary>Polls pg_stat_activity until another backend of this database runs the statement; returns its pid.</summary>
    private static async Task<int> WaitForBackendRunningAsync(string connectionString, string statement)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var pid = await Poll.ValueAsync<object>(async () =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND position(@statement in query) > 0
                """, connection);
            command.Parameters.AddWithValue("statement", statement);
            return await command.ExecuteScalarAsync() is int found ? found : null;
        }, $"a backend running '{statement}'", Deadline);
        return (int)pid;
    }
}
