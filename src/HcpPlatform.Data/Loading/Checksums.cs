using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>
/// Order-independent table checksums: a digest of the row count and the sum of each row's 64-bit hash, over the
/// columns the loader writes (server-stamped created_at and updated_at are left out). Two runs with the same inputs give
/// the same checksums whatever the physical row order. A table whose rows nothing changes after the load is checksummed
/// from its COPY stream as it is sent (<see cref="FromRowHashes"/>: the hash of each row's binary COPY encoding), which
/// spares the server a second read of millions of rows; a table whose columns the loader's SQL computes afterwards
/// (the aggregates) is hashed where it is stored, by <see cref="Query"/> (PostgreSQL's hash_record_extended, the stable
/// hash behind hash partitioning, and md5).
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
        [DatasetTables.InterventionAssignments.Name] = DatasetTables.InterventionAssignments.Columns,
        [DatasetTables.InterventionTruth.Name] = DatasetTables.InterventionTruth.Columns,
        [DatasetTables.PlannedTouchResults.Name] = DatasetTables.PlannedTouchResults.Columns,
    };

    public static string Query(string schema, string table) => $"""
        SELECT md5(count(*)::text || ':' || coalesce(sum(hash_record_extended(ROW({string.Join(", ", Columns[table])}), 0)), 0)::text)
        FROM "{schema}".{table}
        """;

    /// <summary>The checksum of <paramref name="rows"/> rows whose 64-bit hashes sum (mod 2^64) to <paramref name="rowHashSum"/>.</summary>
    public static string FromRowHashes(long rows, ulong rowHashSum) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{rows}:{rowHashSum}"))))[..32];

    /// <summary>Checksums of <paramref name="tables"/> as stored, one after another on <paramref name="connection"/>.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ComputeAsync(NpgsqlConnection connection, string schema, IEnumerable<string> tables, CancellationToken ct)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand(Query(schema, table), connection) { CommandTimeout = 0 };
            result[table] = (string)(await cmd.ExecuteScalarAsync(ct))!;
        }
        return result;
    }
}
