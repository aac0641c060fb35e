using HcpPlatform.Data.Loading;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.Data.Tests;

/// <summary>The binary COPY encoder against the server: every type the dataset uses reads back as written.</summary>
[Collection(PostgresFixture.CollectionName)]
public sealed class CopyWriterTests(PostgresFixture postgres)
{
    private sealed record Row(Guid Id, Guid? Ref, int Count, long Big, double Rate, double? Maybe, bool Flag, DateTime At, DateOnly Day, string? Name, string? Json);

    private static readonly TableSpec<Row> Spec = new("copy_probe",
        ["id", "ref", "count", "big", "rate", "maybe", "flag", "at", "day", "name", "doc"],
        (w, r) =>
        {
            w.Uuid(r.Id);
            w.Uuid(r.Ref);
            w.Int4(r.Count);
            w.BigInt(r.Big);
            w.Float8(r.Rate);
            w.Float8(r.Maybe);
            w.Bool(r.Flag);
            w.TimestampTz(r.At);
            w.Date(r.Day);
            w.Text(r.Name);
            w.Jsonb(r.Json);
        });

    private static async Task<NpgsqlConnection> OpenWithProbeTableAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("""
            CREATE TEMP TABLE copy_probe (id uuid NOT NULL, ref uuid, count int NOT NULL, big bigint NOT NULL, rate float8 NOT NULL,
                maybe float8, flag boolean NOT NULL, at timestamptz NOT NULL, day date NOT NULL, name text, doc jsonb)
            """, connection);
        await create.ExecuteNonQueryAsync();
        return connection;
    }

    [Fact]
    public async Task Every_type_reads_back_as_written_including_nulls_unicode_and_documents_larger_than_the_buffer()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        await using var connection = await OpenWithProbeTableAsync(connectionString);
        var big = "{\"items\": [" + string.Join(", ", Enumerable.Range(0, 20_000).Select(i => $"\"é{i}\"")) + "]}";
        Row[] rows =
        [
            new(Guid.Parse("0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9"), null, -7, long.MinValue + 1, 0.1, null, true,
                new DateTime(2026, 6, 30, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567), new DateOnly(1999, 12, 31), "Zoë Ångström – ✓", "{\"a\": 1}"),
            new(Guid.Parse("ffffffff-0000-4000-8000-000000000001"), Guid.Parse("12345678-9abc-4def-8123-456789abcdef"), int.MaxValue, 42, -1.5e300, 2.25, false,
                new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateOnly(2000, 1, 1), null, null),
            new(Guid.Empty, null, 0, 0, double.Epsilon, 0, true, new DateTime(1990, 2, 3, 4, 5, 6, DateTimeKind.Utc), new DateOnly(2030, 2, 28), "", big),
        ];
        // Many rows, so that the buffer is flushed mid-row many times.
        var many = Enumerable.Range(0, 5_000).Select(i => rows[i % 2] with { Count = 1_000 + i });
        var all = rows.Concat(many).ToList();

        var written = CopyWriter.Copy(connection, "pg_temp", Spec, all, freeze: false);

        Assert.Equal(all.Count, written);
        await using var read = new NpgsqlCommand("SELECT id, ref, count, big, rate, maybe, flag, at, day, name, doc::text FROM copy_probe ORDER BY count", connection);
        await using var reader = await read.ExecuteReaderAsync();
        var back = new List<Row>();
        while (await reader.ReadAsync())
        {
            back.Add(new Row(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.GetBoolean(6), reader.GetFieldValue<DateTime>(7), reader.GetFieldValue<DateOnly>(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
        }
        // PostgreSQL keeps microseconds: a timestamp loses its last tick digit, as with Npgsql's own writer. The large
        // document is compared by content (jsonb re-formats its text).
        static Row Comparable(Row r) => r with
        {
            At = new DateTime(r.At.Ticks - r.At.Ticks % 10, DateTimeKind.Utc),
            Json = r.Json is { Length: > 1_000 } ? "large" : r.Json,
        };
        Assert.Equal(all.Select(Comparable).OrderBy(r => r.Count), back.Select(Comparable));
        var large = back.Single(r => r.Name == "").Json!;
        var items = System.Text.Json.JsonDocument.Parse(large).RootElement.GetProperty("items");
        Assert.Equal(20_000, items.GetArrayLength());
        Assert.Equal("é19999", items[19_999].GetString());
    }

    [Fact]
    public async Task A_failure_mid_copy_cancels_it_so_no_row_lands_and_the_connection_stays_usable()
    {
        var connectionString = await postgres.CreateMigratedDatabaseAsync();
        await using var connection = await OpenWithProbeTableAsync(connectionString);
        var good = new Row(Guid.NewGuid(), null, 1, 1, 1, null, true, DateTime.UtcNow, new DateOnly(2026, 1, 1), "ok", null);
        var local = good with { At = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local) };

        var error = Assert.Throws<ArgumentException>(() => CopyWriter.Copy(connection, "pg_temp", Spec, [good, good, local], freeze: false));

        Assert.Contains("must be UTC", error.Message, StringComparison.Ordinal);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM copy_probe", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }
}
