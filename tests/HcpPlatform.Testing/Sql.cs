using System.Globalization;
using Npgsql;

namespace HcpPlatform.Testing;

/// <summary>The one way tests read or change a database directly: a statement, a scalar, or rows, each on a connection of its own or the caller's.</summary>
public static class Sql
{
    /// <summary>The first column of the first row, as <typeparamref name="T"/> (numbers converted, e.g. count(*) to int).</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await ScalarAsync<T>(connection, sql, ct: ct);
    }

    /// <inheritdoc cref="ScalarAsync{T}(string, string, CancellationToken)"/>
    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new InvalidOperationException($"No row from: {sql}");
        }
        if (reader.IsDBNull(0))
        {
            return default!;
        }
        try
        {
            return reader.GetFieldValue<T>(0);
        }
        catch (InvalidCastException)
        {
            var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            return (T)Convert.ChangeType(reader.GetValue(0), target, CultureInfo.InvariantCulture);
        }
    }

    public static async Task<int> ExecuteAsync(string connectionString, string sql, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        return await ExecuteAsync(connection, sql, ct: ct);
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Every row, mapped.</summary>
    public static async Task<List<T>> ListAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }
        return rows;
    }
}
