using HcpPlatform.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HcpPlatform.AppHost;

/// <summary>
/// PostgreSQL run by the AppHost from this machine's server binaries: the <c>postgres</c> server process in the
/// foreground (as the postgres OS user when the AppHost is root), so DCP starts it, shows its log and stops it with the
/// AppHost. Trust authentication on 127.0.0.1 only, user postgres, like the CLI's embedded PostgreSQL. Its connection
/// string names the platform's database; the migration worker creates that database when it is missing.
/// </summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory, string dataDirectory, int port, string database)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public string DataDirectory { get; } = dataDirectory;

    public int Port { get; } = port;

    public string DatabaseName { get; } = database;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{ConnectionString(DatabaseName)}");

    /// <summary>The connection string to one database of the server (the health check uses the maintenance database).</summary>
    public string ConnectionString(string databaseName) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = databaseName,
    }.ConnectionString;
}

internal static partial class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Adds the server as an executable resource: initdb of <paramref name="dataDirectory"/> on first use (a persistent
    /// folder, kept between runs) and the settings file with the port, just before it starts; a health check that
    /// connects; a TCP endpoint on <paramref name="port"/>.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name,
        string dataDirectory, int port, string? binDirectory, string database)
    {
        var cluster = new PostgresCluster(new PostgresClusterOptions { DataDirectory = dataDirectory, Port = port, BinDirectory = binDirectory });
        // postgres reads the port, listen_addresses and the socket directory from the settings file PostgresCluster writes.
        var (command, arguments) = ProcessRunner.AsPostgres(PostgresBinaries.ProgramPath(cluster.BinDirectory, "postgres"), ["-D", cluster.DataDirectory]);
        var resource = new LocalPostgresResource(name, command, cluster.BinDirectory, cluster.DataDirectory, port, database);

        var healthCheckKey = name + "_check";
        var maintenance = resource.ConnectionString("postgres");
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async ct =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(maintenance);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(ct);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(e.Message);
            }
        });

        return builder.AddResource(resource)
            .WithArgs([.. arguments])
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck(healthCheckKey)
            .OnBeforeResourceStarted(async (postgres, e, ct) =>
            {
                var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(postgres);
                // A server left running on this folder (an AppHost that was killed) would hold postmaster.pid: stop it,
                // so the one DCP starts now owns the folder.
                if ((await cluster.GetStatusAsync(ct)).Running)
                {
                    LogStoppingLeftover(logger, cluster.DataDirectory);
                    await cluster.StopAsync(PostgresStopMode.Fast, ct);
                }
                if (!cluster.IsInitialized)
                {
                    LogCreating(logger, cluster.DataDirectory);
                }
                await cluster.InitializeAsync(ct);
                LogStarting(logger, cluster.DataDirectory, port, cluster.BinDirectory);
            });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A PostgreSQL server from an earlier run still uses {DataDirectory}; stopping it.")]
    private static partial void LogStoppingLeftover(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating the PostgreSQL cluster in {DataDirectory} (initdb).")]
    private static partial void LogCreating(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL data: {DataDirectory}, port {Port}, binaries {BinDirectory}.")]
    private static partial void LogStarting(ILogger logger, string dataDirectory, int port, string binDirectory);

    /// <summary>The AppHost's persistent data folder: /var/lib/hcpplatform/apphost-postgres as root, else under ~/.local/share.</summary>
    public static string DefaultDataDirectory() => Environment.UserName == "root"
        ? "/var/lib/hcpplatform/apphost-postgres"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "hcpplatform", "apphost-postgres");
}
