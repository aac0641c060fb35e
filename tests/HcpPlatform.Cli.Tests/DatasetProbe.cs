using Npgsql;

namespace HcpPlatform.Cli.Tests;

/// <summary>Reads what a test needs to tell whether the dataset changed.</summary>
public static class DatasetProbe
{
    public static async Task<string> FingerprintAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT coalesce((SELECT id::text || '/' || simulated_through FROM hcp.dataset_info), 'none') || '/' ||
                   (SELECT count(*) FROM hcp.stimuli_events) || '/' || (SELECT count(*) FROM hcp.outcome_events) || '/' ||
                   (SELECT count(*) FROM hcp.hcp_profiles)
            """, c);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
