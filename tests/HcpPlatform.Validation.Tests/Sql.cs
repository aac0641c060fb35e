using Npgsql;

namespace HcpPlatform.Validation.Tests;

internal static class Sql
{
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
