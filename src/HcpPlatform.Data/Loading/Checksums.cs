using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// Order-independent table checksums: md5 over the row count and the sum of each row's 64-bit hash
/// (PostgreSQL's hash_record_extended, the stable hash behind hash partitioning), over the columns the
/// engine writes (server-stamped created_at and updated_at are left out). Two runs with the same inputs
/// give the same checksums whatever the physical row order. Hashing the row's values directly is about
/// ten times cheaper than md5 over its text form, which matters at millions of rows.
/// </summary>
public static class Checksums
{
    public static readonly IReadOnlyDictionary<string, string[]> Columns = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [DatasetTables.Profiles.Name] = DatasetTables.Profiles.Columns,
        [DatasetTables.Campaigns.Name] = DatasetTables.Campaigns.Columns,
        [DatasetTables.Participation.Name] = DatasetTables.Participation.Columns,
        [DatasetTables.Territories.Name] = DatasetTables.Territories.Columns,
        [DatasetTables.ContactLimits.Name] = DatasetTables.ContactLimits.Columns,
        [DatasetTables.Capacity.Name] = DatasetTables.Capacity.Columns,
        [DatasetTables.Stimuli.Name] = DatasetTables.Stimuli.Columns,
        [DatasetTables.Outcomes.Name] = DatasetTables.Outcomes.Columns,
        [DatasetTables.Rx.Name] = DatasetTables.Rx.Columns,
        [DatasetTables.GroundTruth.Name] = DatasetTables.GroundTruth.Columns,
        [DatasetTables.Info.Name] = DatasetTables.Info.Columns,
    };

    public static string Query(string schema, string table) => $"""
        SELECT md5(count(*)::text || ':' || coalesce(sum(hash_record_extended(ROW({string.Join(", ", Columns[table])}), 0)), 0)::text)
        FROM "{schema}".{table}
        """;

    /// <summary>
    /// Checksums of every dataset table, one after another on one connection of their own: the loader runs them beside
    /// the swap gate's checks, and more concurrent scans than cores only slow every one of them down.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> ComputeAsync(string connectionString, string schema, CancellationToken ct)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var table in Columns.Keys)
        {
            await using var cmd = new NpgsqlCommand(Query(schema, table), connection) { CommandTimeout = 0 };
            result[table] = (string)(await cmd.ExecuteScalarAsync(ct))!;
        }
        return result;
    }
}
