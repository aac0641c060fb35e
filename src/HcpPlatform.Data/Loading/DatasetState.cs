using Npgsql;

namespace HcpPlatform.Data.Loading;

/// <summary>The dataset in place, as hcp.dataset_info describes it.</summary>
public sealed record DatasetState(Guid Id, long Seed, int HcpCount, int Months, string Scenario, DateOnly WindowStart, DateOnly SimulatedThrough, string ParametersJson)
{
    /// <summary>The current dataset, or null when none has been generated yet.</summary>
    public static async Task<DatasetState?> ReadAsync(NpgsqlConnection connection, CancellationToken ct, NpgsqlTransaction? tx = null, bool forUpdate = false)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT id, seed, hcp_count, months, scenario, window_start, simulated_through, parameters::text FROM hcp.dataset_info"
            + (forUpdate ? " FOR UPDATE" : ""), connection, tx);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        return new DatasetState(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetString(4),
            reader.GetFieldValue<DateOnly>(5), reader.GetFieldValue<DateOnly>(6), reader.GetString(7));
    }

    public static async Task<DatasetState?> ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadAsync(connection, ct);
    }

    public string Describe() =>
        $"{HcpCount:N0} HCPs, seed {Seed}, {Months} months from {WindowStart:yyyy-MM-dd} through {SimulatedThrough:yyyy-MM-dd} (scenario {Scenario})";
}
