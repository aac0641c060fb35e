using HcpPlatform.Data.Migrations;
using HcpPlatform.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace HcpPlatform.Data.Tests;

/// <summary>The hand-written SQL migrations must create exactly the schema the EF Core model describes.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class SchemaTests(PostgresFixture postgres)
{
    private static readonly string[] Schemas = [HcpDbContext.DatasetSchema, HcpDbContext.PlatformSchema];

    [Fact]
    public async Task Migrating_an_empty_database_creates_both_schemas_and_every_table_of_the_model()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        var database = await DatabaseSchema.ReadAsync(connectionString, Schemas);
        var model = ModelSchema.Read(connectionString);

        Assert.Contains(HcpDbContext.DatasetSchema, database.SchemaNames);
        Assert.Contains(HcpDbContext.PlatformSchema, database.SchemaNames);
        Assert.Equal(22, model.Tables.Count); // 15 dataset tables + 7 platform tables.
        Assert.Subset(database.Tables.ToHashSet(), model.Tables.ToHashSet());
    }

    [Fact]
    public async Task Database_has_exactly_the_schema_of_the_EF_model()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();

        var mismatches = await FindMismatchesAsync(connectionString);

        Assert.True(mismatches.Count == 0, "SQL migrations and EF model differ:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public async Task The_comparison_reports_every_kind_of_drift()
    {
        // Guards against a comparison that passes because it compares nothing.
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var drift = new NpgsqlCommand("""
                DROP SCHEMA universal CASCADE; -- the views pin the column types this test alters
                ALTER TABLE hcp.campaigns ALTER COLUMN name TYPE text;
                ALTER TABLE hcp.campaigns ALTER COLUMN description SET NOT NULL;
                ALTER TABLE hcp.campaigns ALTER COLUMN created_at DROP DEFAULT;
                ALTER TABLE hcp.stimuli_events DROP CONSTRAINT fk_stimuli_events_campaigns_campaign_id;
                ALTER TABLE hcp.stimuli_events ADD CONSTRAINT fk_stimuli_events_campaigns_campaign_id
                    FOREIGN KEY (campaign_id) REFERENCES hcp.campaigns (id) ON DELETE SET NULL;
                DROP INDEX hcp.ix_prescribing_history_month;
                CREATE INDEX ix_extra ON hcp.ground_truth (channel);
                ALTER TABLE hcp.ground_truth ADD CONSTRAINT ck_value CHECK (value >= 0);
                CREATE TABLE platform.stray (id integer);
                """, connection);
            await drift.ExecuteNonQueryAsync();
        }

        var mismatches = string.Join('\n', await FindMismatchesAsync(connectionString));

        Assert.Contains("column in EF model only: hcp.campaigns.name character varying(200) NOT NULL", mismatches, StringComparison.Ordinal);
        Assert.Contains("column in database only: hcp.campaigns.name text NOT NULL", mismatches, StringComparison.Ordinal);
        Assert.Contains("column in database only: hcp.campaigns.description text NOT NULL", mismatches, StringComparison.Ordinal);
        Assert.Contains("column in database only: hcp.campaigns.created_at timestamp with time zone NOT NULL\n", mismatches + "\n", StringComparison.Ordinal);
        Assert.Contains("foreign key in database only: hcp.stimuli_events fk_stimuli_events_campaigns_campaign_id (campaign_id) -> hcp.campaigns (id) ON DELETE SetNull", mismatches, StringComparison.Ordinal);
        Assert.Contains("index in EF model only: hcp.prescribing_history ix_prescribing_history_month (month)", mismatches, StringComparison.Ordinal);
        Assert.Contains("index in database only: hcp.ground_truth ix_extra (channel)", mismatches, StringComparison.Ordinal);
        Assert.Contains("other constraint in database only: hcp.ground_truth check ck_value", mismatches, StringComparison.Ordinal);
        Assert.Contains("table in database only: platform.stray", mismatches, StringComparison.Ordinal);
    }

    private static async Task<List<string>> FindMismatchesAsync(string connectionString)
    {
        var database = await DatabaseSchema.ReadAsync(connectionString, Schemas);
        var model = ModelSchema.Read(connectionString);

        // The migrator's own history table is the only table the model does not describe.
        var databaseTables = database.Tables.Where(t => t != DatabaseMigrator.HistoryTable);
        var mismatches = new List<string>();
        Compare("table", model.Tables, databaseTables, mismatches);
        Compare("column", model.Columns, database.Columns.Where(NotHistory), mismatches);
        Compare("primary key", model.PrimaryKeys, database.PrimaryKeys.Where(NotHistory), mismatches);
        Compare("foreign key", model.ForeignKeys, database.ForeignKeys, mismatches);
        Compare("index", model.Indexes, database.Indexes, mismatches);
        Compare("other constraint", model.OtherConstraints, database.OtherConstraints, mismatches);
        return mismatches;
    }

    [Fact]
    public async Task EF_can_read_every_table_of_the_migrated_database()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        await using var context = ModelSchema.CreateContext(connectionString);

        // Each query selects every mapped column, so a missing or mistyped column fails here.
        Assert.Empty(await context.HcpProfiles.ToListAsync());
        Assert.Empty(await context.PrescribingHistory.ToListAsync());
        Assert.Empty(await context.TerritoryAssignments.ToListAsync());
        Assert.Empty(await context.Campaigns.ToListAsync());
        Assert.Empty(await context.CampaignParticipation.ToListAsync());
        Assert.Empty(await context.StimuliEvents.ToListAsync());
        Assert.Empty(await context.OutcomeEvents.ToListAsync());
        Assert.Empty(await context.ChannelCapacity.ToListAsync());
        Assert.Empty(await context.HcpContactLimits.ToListAsync());
        Assert.Empty(await context.GroundTruth.ToListAsync());
        Assert.Empty(await context.DatasetInfo.ToListAsync());
        Assert.Empty(await context.GenerationRuns.ToListAsync());
        Assert.Empty(await context.ValidationResults.ToListAsync());
        Assert.Empty(await context.ApiKeys.ToListAsync());
        Assert.Empty(await context.PrivacyRequests.ToListAsync());

        var state = Assert.Single(await context.SimulationState.ToListAsync());
        Assert.Equal(1, state.Id);
        Assert.Equal("stopped", state.DesiredMode);
    }

    private static bool NotHistory(string line) =>
        !line.StartsWith(DatabaseMigrator.HistoryTable + " ", StringComparison.Ordinal)
        && !line.StartsWith(DatabaseMigrator.HistoryTable + ".", StringComparison.Ordinal);

    private static void Compare(string what, IEnumerable<string> model, IEnumerable<string> database, List<string> mismatches)
    {
        var modelSet = model.ToHashSet(StringComparer.Ordinal);
        var databaseSet = database.ToHashSet(StringComparer.Ordinal);
        mismatches.AddRange(modelSet.Except(databaseSet).Order(StringComparer.Ordinal).Select(l => $"  {what} in EF model only: {l}"));
        mismatches.AddRange(databaseSet.Except(modelSet).Order(StringComparer.Ordinal).Select(l => $"  {what} in database only: {l}"));
    }

    /// <summary>The schema as the EF Core relational model describes it, one comparable line per object.</summary>
    private sealed record ModelSchema(
        List<string> Tables, List<string> Columns, List<string> PrimaryKeys, List<string> ForeignKeys,
        List<string> Indexes, List<string> OtherConstraints)
    {
        public static HcpDbContext CreateContext(string connectionString) =>
            new(new DbContextOptionsBuilder<HcpDbContext>().UseNpgsql(connectionString).Options);

        public static ModelSchema Read(string connectionString)
        {
            using var context = CreateContext(connectionString);
            // The design-time model keeps everything the runtime model may strip (e.g. default value SQL).
            var relational = context.GetService<IDesignTimeModel>().Model.GetRelationalModel();
            var schema = new ModelSchema([], [], [], [], [], []);
            foreach (var table in relational.Tables)
            {
                var name = $"{table.Schema}.{table.Name}";
                schema.Tables.Add(name);
                foreach (var column in table.Columns)
                {
                    var hasDefault = column.DefaultValueSql is not null || column.DefaultValue is not null;
                    schema.Columns.Add(Describe.Column(name, column.Name, column.StoreType, column.IsNullable, hasDefault));
                }
                if (table.PrimaryKey is { } pk)
                {
                    schema.PrimaryKeys.Add(Describe.Key(name, pk.Name, pk.Columns.Select(c => c.Name)));
                }
                foreach (var fk in table.ForeignKeyConstraints)
                {
                    schema.ForeignKeys.Add(Describe.ForeignKey(name, fk.Name, fk.Columns.Select(c => c.Name),
                        $"{fk.PrincipalTable.Schema}.{fk.PrincipalTable.Name}", fk.PrincipalColumns.Select(c => c.Name), fk.OnDeleteAction));
                }
                foreach (var index in table.Indexes)
                {
                    schema.Indexes.Add(Describe.Index(name, index.Name, index.Columns.Select(c => c.Name), index.IsUnique, index.Filter is not null));
                }
                foreach (var unique in table.UniqueConstraints.Where(u => !u.GetIsPrimaryKey()))
                {
                    schema.OtherConstraints.Add($"{name} unique {unique.Name}");
                }
                foreach (var check in table.CheckConstraints)
                {
                    schema.OtherConstraints.Add($"{name} check {check.Name}");
                }
            }
            return schema;
        }
    }

    /// <summary>The schema as pg_catalog reports it, in the same line format.</summary>
    private sealed record DatabaseSchema(
        List<string> SchemaNames, List<string> Tables, List<string> Columns, List<string> PrimaryKeys,
        List<string> ForeignKeys, List<string> Indexes, List<string> OtherConstraints)
    {
        /// <summary>SQL for the names of the attribute numbers in <paramref name="attnums"/>, in their order.</summary>
        private static string ColumnNames(string attnums, string relation) => $"""
            ARRAY(SELECT a.attname::text FROM unnest({attnums}) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = {relation} AND a.attnum = k.attnum ORDER BY k.ord)
            """;

        public static async Task<DatabaseSchema> ReadAsync(string connectionString, string[] schemas)
        {
            var result = new DatabaseSchema([], [], [], [], [], [], []);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();

            await ForEachRowAsync(connection, "SELECT nspname::text FROM pg_namespace WHERE nspname = ANY(@schemas)", schemas,
                r => result.SchemaNames.Add(r.GetString(0)));

            // Every relation kind counts as a table here, so a stray view or sequence is reported too.
            await ForEachRowAsync(connection, """
                SELECT n.nspname || '.' || c.relname, c.relkind::text
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY(@schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                """, schemas, r => result.Tables.Add(r.GetString(1) is "r" or "p" ? r.GetString(0) : $"{r.GetString(0)} (relkind {r.GetString(1)})"));

            await ForEachRowAsync(connection, """
                SELECT n.nspname || '.' || c.relname, a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, a.atthasdef
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY(@schemas) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                """, schemas, r => result.Columns.Add(Describe.Column(r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4))));

            await ForEachRowAsync(connection, $"""
                SELECT n.nspname || '.' || c.relname, con.conname::text, con.contype::text,
                       {ColumnNames("con.conkey", "con.conrelid")},
                       coalesce(fn.nspname || '.' || fc.relname, ''),
                       {ColumnNames("con.confkey", "con.confrelid")},
                       con.confdeltype::text
                FROM pg_constraint con
                JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
                WHERE n.nspname = ANY(@schemas)
                """, schemas, r =>
            {
                var table = r.GetString(0);
                var name = r.GetString(1);
                var columns = r.GetFieldValue<string[]>(3);
                switch (r.GetString(2))
                {
                    case "p":
                        result.PrimaryKeys.Add(Describe.Key(table, name, columns));
                        break;
                    case "f":
                        result.ForeignKeys.Add(Describe.ForeignKey(table, name, columns, r.GetString(4),
                            r.GetFieldValue<string[]>(5), DeleteRule(r.GetString(6))));
                        break;
                    case "u":
                        result.OtherConstraints.Add($"{table} unique {name}");
                        break;
                    case "c":
                        result.OtherConstraints.Add($"{table} check {name}");
                        break;
                    default:
                        result.OtherConstraints.Add($"{table} constraint {name} of type {r.GetString(2)}");
                        break;
                }
            });

            // Indexes that back a primary key or unique constraint are compared as constraints above.
            await ForEachRowAsync(connection, $"""
                SELECT n.nspname || '.' || t.relname, i.relname::text,
                       {ColumnNames("ix.indkey::int2[]", "t.oid")},
                       ix.indisunique, ix.indpred IS NOT NULL, ix.indexprs IS NOT NULL
                FROM pg_index ix
                JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = ANY(@schemas)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid)
                """, schemas, r => result.Indexes.Add(
                    Describe.Index(r.GetString(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetBoolean(3), r.GetBoolean(4))
                    + (r.GetBoolean(5) ? " on expressions" : "")));

            return result;
        }

        private static ReferentialAction DeleteRule(string code) => code switch
        {
            "a" => ReferentialAction.NoAction,
            "r" => ReferentialAction.Restrict,
            "c" => ReferentialAction.Cascade,
            "n" => ReferentialAction.SetNull,
            "d" => ReferentialAction.SetDefault,
            _ => throw new InvalidOperationException($"Unknown confdeltype '{code}'."),
        };

        private static async Task ForEachRowAsync(NpgsqlConnection connection, string sql, string[] schemas, Action<NpgsqlDataReader> row)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("schemas", schemas);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                row(reader);
            }
        }
    }

    /// <summary>One line per schema object, identical for both sides when they agree.</summary>
    private static class Describe
    {
        public static string Column(string table, string column, string storeType, bool nullable, bool hasDefault) =>
            $"{table}.{column} {storeType} {(nullable ? "NULL" : "NOT NULL")}{(hasDefault ? " DEFAULT" : "")}";

        public static string Key(string table, string name, IEnumerable<string> columns) =>
            $"{table} {name} ({string.Join(", ", columns)})";

        public static string ForeignKey(string table, string name, IEnumerable<string> columns, string principal,
            IEnumerable<string> principalColumns, ReferentialAction onDelete) =>
            $"{table} {name} ({string.Join(", ", columns)}) -> {principal} ({string.Join(", ", principalColumns)}) ON DELETE {onDelete}";

        public static string Index(string table, string name, IEnumerable<string> columns, bool unique, bool filtered) =>
            $"{table} {name} ({string.Join(", ", columns)}){(unique ? " UNIQUE" : "")}{(filtered ? " WHERE …" : "")}";
    }
}
