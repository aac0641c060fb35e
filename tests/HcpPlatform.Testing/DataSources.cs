using System.Collections.Concurrent;
using Npgsql;

namespace HcpPlatform.Testing;

/// <summary>
/// The data source of a test database, one per connection string for the life of the test process (the data layer takes
/// data sources, not connection strings): its pool is reused by every call of a test, and cleared by
/// <see cref="Release"/> where a test needs the database without sessions (a template).
/// </summary>
public static class DataSources
{
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> Sources = new(StringComparer.Ordinal);

    public static NpgsqlDataSource For(string connectionString) => Sources.GetOrAdd(connectionString, NpgsqlDataSource.Create);

    /// <summary>Closes the idle connections of the data source of <paramref name="connectionString"/> (and of the global pool).</summary>
    public static void Release(string connectionString)
    {
        if (Sources.TryRemove(connectionString, out var source))
        {
            source.Dispose();
        }
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }
}
