using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HcpPlatform.Data.Hosting;

/// <summary>Opens a pooled connection from the data source and runs <c>SELECT 1</c>.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    /// <summary>Registration name used by <see cref="DataServiceCollectionExtensions.AddHcpDatabase"/>.</summary>
    public const string Name = "postgres";

    /// <summary>Tag of checks that gate readiness (the database must be reachable).</summary>
    public const string ReadyTag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException or IOException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL is not reachable.", ex);
        }
    }
}
