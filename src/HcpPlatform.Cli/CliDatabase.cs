using HcpPlatform.Data.Hosting;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Migrations;
using HcpPlatform.Postgres;
using Npgsql;

namespace HcpPlatform.Cli;

/// <summary>Where the CLI's data lives: ConnectionStrings__hcpdb when set, else the shared embedded PostgreSQL.</summary>
internal static class CliDatabase
{
    /// <summary>
    /// The data source of a dataset command: the connection string resolved, the server proven to answer (transient
    /// failures retried) and the schema migrated, once per command.
    /// </summary>
    public static async Task<NpgsqlDataSource> ConnectAsync(Action<string> log, CancellationToken ct)
    {
        // Every dataset command reads or writes the generation parameters as JSON: prepare the serializer meanwhile.
        _ = Task.Run(GenerationParameters.PrepareSerializer, ct);
        string connectionString;
        try
        {
            connectionString = await ConnectionStringResolver.ConfiguredOrEmbeddedAsync(
                Environment.GetEnvironmentVariable(ConnectionStringResolver.EnvironmentVariable), log, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or IOException or TimeoutException)
        {
            throw new CliFailureException($"Cannot start the embedded PostgreSQL: {e.Message}");
        }
        NpgsqlDataSource dataSource;
        NpgsqlConnectionStringBuilder target;
        try
        {
            dataSource = NpgsqlDataSource.Create(connectionString);
            target = new NpgsqlConnectionStringBuilder(connectionString);
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
                await using var connection = await dataSource.OpenConnectionAsync(token);
            }, ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await dataSource.DisposeAsync();
            throw new CliFailureException($"Cannot reach PostgreSQL at {target.Host}:{target.Port} (database {target.Database}) after retries: {e.GetBaseException().Message}");
        }
        await DatabaseMigrator.MigrateAsync(dataSource, ct);
        return dataSource;
    }
}
