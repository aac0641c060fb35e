using Microsoft.Extensions.Configuration;

namespace HcpPlatform.Data.Postgres;

/// <summary>
/// The one place every entry point gets its connection string: <c>ConnectionStrings:hcpdb</c> when configured,
/// else the shared embedded PostgreSQL (started on demand).
/// </summary>
public static class ConnectionStringResolver
{
    public const string ConnectionName = "hcpdb";

    /// <summary>The environment form of ConnectionStrings:hcpdb.</summary>
    public const string EnvironmentVariable = "ConnectionStrings__" + ConnectionName;

    /// <summary>
    /// <c>ConnectionStrings:hcpdb</c> from the configuration, else the <c>ConnectionStrings__hcpdb</c> environment
    /// variable (for callers whose configuration has no environment provider), else the embedded server,
    /// whose address is logged.
    /// </summary>
    public static async Task<string> ResolveAsync(IConfiguration? configuration, Action<string> log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);

        var configured = configuration?.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        }
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var embedded = new EmbeddedPostgres(EmbeddedPostgresOptions.FromEnvironment());
        var connectionString = await embedded.EnsureStartedAsync(ct);
        log($"Using embedded PostgreSQL at {connectionString} (data: {embedded.DataDirectory})");
        return connectionString;
    }
}
