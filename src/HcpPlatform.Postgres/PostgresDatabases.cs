using Npgsql;

namespace HcpPlatform.Postgres;

/// <summary>Databases of a server, seen from its <c>postgres</c> maintenance database.</summary>
public static class PostgresDatabases
{
    /// <summary>
    /// Connects to the <c>postgres</c> maintenance database of the server <paramref name="connectionString"/> names and
    /// creates its database when it does not exist. Returns true when it created it.
    /// </summary>
    public static async Task<bool> CreateIfMissingAsync(string connectionString, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database ?? target.Username
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));

        // A session of its own (no pool is kept for a database nothing else uses).
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);

        await using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", connection))
        {
            exists.Parameters.AddWithValue("name", database);
            if (await exists.ExecuteScalarAsync(ct) is true)
            {
                return false;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand("CREATE DATABASE " + QuoteIdentifier(database), connection);
            await create.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another process created it between our check and our CREATE: the outcome we wanted.
            return false;
        }
    }

    /// <summary>Double-quotes a PostgreSQL identifier.</summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
