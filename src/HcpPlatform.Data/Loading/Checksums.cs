using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// Order-independent table checksums: md5 over the row count and the sum of each row's md5 prefix,
/// leaving out server-stamped columns (created_at, updated_at). Two runs with the same inputs give
/// the same checksums whatever the physical row order.
/// </summary>
public static class Checksums
{
    private static readonly string[] Excluded = ["created_at", "updated_at"];

    public static async Task<IReadOnlyDictionary<string, string>> ComputeAsync(NpgsqlConnection connection, string schema, IEnumerable<string> tables, CancellationToken ct)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var columns = new List<string>();
            await using (var cmd = new NpgsqlCommand(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = @s AND table_name = @t ORDER BY ordinal_position", connection))
            {
                cmd.Parameters.AddWithValue("s", schema);
                cmd.Parameters.AddWithValue("t", table);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var name = reader.GetString(0);
                    if (!Excluded.Contains(name))
                    {
                        columns.Add(name);
                    }
                }
            }
            var row = "ROW(" + string.Join(", ", columns) + ")::text";
            var sql = $"""
                SELECT md5(count(*)::text || ':' || coalesce(sum(('x' || substr(md5({row}), 1, 15))::bit(60)::bigint), 0)::text)
                FROM "{schema}".{table}
                """;
            await using (var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 })
            {
                result[table] = (string)(await cmd.ExecuteScalarAsync(ct))!;
            }
        }
        return result;
    }
}
