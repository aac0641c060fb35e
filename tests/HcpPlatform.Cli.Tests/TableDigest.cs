using System.Buffers.Binary;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using Npgsql;

namespace HcpPlatform.Cli.Tests;

/// <summary>A table's row count and an order-independent checksum of its rows (the sum of each row's hash).</summary>
public sealed record TableDigest(long Rows, ulong Checksum)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Rows} rows, {Checksum:x16}");
}

/// <summary>
/// The same checksum of a table whichever engine reads it: each row becomes one canonical text (values as .NET reads them
/// from the engine's ADO.NET provider: uuids in their 8-4-4-4-12 form, timestamps to the microsecond, doubles as their
/// shortest round-trip text, dates as YYYY-MM-DD, jsonb as PostgreSQL's text of it), hashed, and the hashes summed.
/// </summary>
public static class Digests
{
    /// <summary>The dataset tables' columns as PostgreSQL has them, in order, less the load-time stamps.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<(string Name, string Type)>>> ColumnsAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = 'hcp' AND column_name NOT IN ('created_at', 'updated_at')
              -- The interventions' assignments, truth, planned-touch results and uplift models are not part of the Parquet layout.
              AND table_name NOT IN ('intervention_assignments', 'intervention_truth', 'planned_touch_results', 'uplift_models')
            ORDER BY table_name, ordinal_position
            """, c);
        var result = new SortedDictionary<string, IReadOnlyList<(string, string)>>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!result.TryGetValue(reader.GetString(0), out var list))
            {
                list = new List<(string, string)>();
                result[reader.GetString(0)] = list;
            }
            ((List<(string, string)>)list).Add((reader.GetString(1), reader.GetString(2)));
        }
        return result;
    }

    public static async Task<TableDigest> PostgresAsync(string connectionString, string table, IReadOnlyList<(string Name, string Type)> columns)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        var select = string.Join(", ", columns.Select(x => x.Type is "jsonb" or "date" ? $"{x.Name}::text" : x.Name));
        await using var cmd = new NpgsqlCommand($"SELECT {select} FROM hcp.{table}", c);
        await using var reader = await cmd.ExecuteReaderAsync();
        return Digest(reader);
    }

    /// <summary>The rows of the Parquet files matched by <paramref name="globs"/>, read by DuckDB.</summary>
    public static TableDigest DuckDb(DuckDBConnection duck, IEnumerable<string> globs, IReadOnlyList<(string Name, string Type)> columns)
    {
        using var cmd = duck.CreateCommand();
        var select = string.Join(", ", columns.Select(x => x.Type == "date" ? $"strftime({x.Name}, '%Y-%m-%d')" : x.Name));
        cmd.CommandText = $"SELECT {select} FROM read_parquet([{string.Join(", ", globs.Select(g => $"'{g}'"))}], hive_partitioning = true)";
        using var reader = cmd.ExecuteReader();
        return Digest(reader);
    }

    public static DuckDBConnection OpenDuckDb()
    {
        var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var cmd = duck.CreateCommand();
        cmd.CommandText = "SET TimeZone = 'UTC'";
        cmd.ExecuteNonQuery();
        return duck;
    }

    public static List<object?[]> Query(DuckDBConnection duck, string sql)
    {
        using var cmd = duck.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    private static TableDigest Digest(DbDataReader reader)
    {
        long rows = 0;
        ulong sum = 0;
        var text = new StringBuilder();
        while (reader.Read())
        {
            text.Clear();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(Canonical(reader.IsDBNull(i) ? null : reader.GetValue(i))).Append('\u001f');
            }
            rows++;
            sum += BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
        return new TableDigest(rows, sum);
    }

    private static string Canonical(object? value) => value switch
    {
        null => "\\N",
        Guid g => g.ToString("D"),
        string s => s,
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "t" : "f",
        int or long or short => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => throw new NotSupportedException($"No canonical text for {value.GetType()}"),
    };
}
