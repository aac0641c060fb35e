using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Postgres;
using Npgsql;

namespace HcpPlatform.Cli;

/// <summary>Where the CLI's data lives: ConnectionStrings__hcpdb when set, else the shared embedded PostgreSQL.</summary>
internal static class CliDatabase
{
    /// <summary>Resolves the connection string and proves the server answers (retrying transient failures).</summary>
    public static async Task<string> ConnectAsync(Action<string> log, CancellationToken ct)
    {
        // Every dataset command reads or writes the generation parameters as JSON: prepare the serializer meanwhile.
        _ = Task.Run(GenerationParameters.PrepareSerializer, ct);
        string connectionString;
        try
        {
            connectionString = await ConnectionStringResolver.ResolveAsync(null, log, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or IOException or TimeoutException)
        {
            throw new CliFailureException($"Cannot start the embedded PostgreSQL: {e.Message}");
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"ConnectionStrings__hcpdb is not a valid PostgreSQL connection string: {e.Message}");
        }
        var retry = TransientRetry.Create(new TransientRetryOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(300) });
        try
        {
            await retry.ExecuteAsync(async token =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(token);
            }, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new CliFailureException($"Cannot reach PostgreSQL at {builder.Host}:{builder.Port} (database {builder.Database}) after retries: {e.GetBaseException().Message}");
        }
        return connectionString;
    }
}
