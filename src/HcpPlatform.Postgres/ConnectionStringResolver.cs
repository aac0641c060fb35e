using Microsoft.Extensions.Configuration;

namespace HcpPlatform.Postgres;

/// <summary>
/// Where every entry point's database is: <c>ConnectionStrings:hcpdb</c> when configured (Aspire sets it), else the
/// shared embedded PostgreSQL, started on demand.
/// </summary>
public static class ConnectionStringResolver
{
    public const string ConnectionName = "hcpdb";

    /// <summary>The environment form of ConnectionStrings:hcpdb.</summary>
    public const string EnvironmentVariable = "ConnectionStrings__" + ConnectionName;

    /// <summary>
    /// <paramref name="configured"/> when it is set, else the embedded server's connection string (the server started or
    /// reused, its database created), whose address is passed to <paramref name="log"/>.
    /// </summary>
    public static async Task<string> ConfiguredOrEmbeddedAsync(string? configured, Action<string> log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }
        var embedded = new EmbeddedPostgres(EmbeddedPostgresOptions.FromEnvironment());
        var connectionString = await embedded.EnsureStartedAsync(ct);
        log($"Using embedded PostgreSQL at {connectionString} (data: {embedded.DataDirectory})");
        return connectionString;
    }

    /// <summary>
    /// A service run on its own: when the configuration has no <c>ConnectionStrings:hcpdb</c>, the shared embedded
    /// PostgreSQL is started (or reused) and its connection string added to the configuration. Under Aspire, which
    /// sets the connection string, it does nothing.
    /// </summary>
    public static async Task AddEmbeddedPostgresUnlessConfiguredAsync(this IConfigurationManager configuration, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration.GetConnectionString(ConnectionName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return;
        }
        var embedded = await ConfiguredOrEmbeddedAsync(null, Console.WriteLine, ct);
        configuration.AddInMemoryCollection([new("ConnectionStrings:" + ConnectionName, embedded)]);
    }
}
