using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace HcpPlatform.AppHost.Tests;

internal static class Poll
{
    /// <summary>Calls <paramref name="probe"/> until it returns a value (250 ms apart), or fails at the deadline.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, TimeSpan deadline, string what, CancellationToken ct) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
        Assert.Fail($"{what}: not within {deadline.TotalSeconds:0} s.");
        return null!;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
