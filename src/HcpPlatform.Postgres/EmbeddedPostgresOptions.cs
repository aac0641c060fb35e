using System.Globalization;

namespace HcpPlatform.Postgres;

/// <summary>Where the shared embedded cluster lives; <see cref="FromEnvironment"/> gives what every entry point uses.</summary>
public sealed class EmbeddedPostgresOptions
{
    public const string DataDirectoryVariable = "HCP_DATA_DIR";
    public const string PortVariable = "HCP_PG_PORT";
    public const int DefaultPort = 54329;
    public const string DefaultDatabase = "hcpdb";

    /// <summary>The cluster's data directory (PGDATA).</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();

    /// <summary>Preferred port; null: the port remembered from the last start, else <see cref="DefaultPort"/>.</summary>
    public int? Port { get; init; }

    /// <summary>Directory of the server programs; null: HCP_PG_BIN, then the usual places.</summary>
    public string? BinDirectory { get; init; }

    public string Database { get; init; } = DefaultDatabase;

    /// <summary>How long to wait for another process that is starting or stopping the same cluster.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Tests only: false skips fsync (see <see cref="PostgresClusterOptions.Durable"/>). The shared server is always durable.</summary>
    internal bool Durable { get; init; } = true;

    /// <summary>HCP_DATA_DIR and HCP_PG_PORT, with the defaults for what is unset (HCP_PG_BIN is read when the binaries are located).</summary>
    public static EmbeddedPostgresOptions FromEnvironment()
    {
        var dataDirectory = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        var port = Environment.GetEnvironmentVariable(PortVariable);
        int? parsedPort = null;
        if (!string.IsNullOrWhiteSpace(port))
        {
            parsedPort = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535
                ? p
                : throw new FormatException($"{PortVariable}='{port}' is not a TCP port number.");
        }

        return new EmbeddedPostgresOptions
        {
            DataDirectory = string.IsNullOrWhiteSpace(dataDirectory) ? DefaultDataDirectory() : Path.GetFullPath(dataDirectory),
            Port = parsedPort,
        };
    }

    /// <summary>
    /// /var/lib/hcpplatform/postgres for root (root's home is not traversable by the postgres user),
    /// else ~/.local/share/hcpplatform/postgres.
    /// </summary>
    public static string DefaultDataDirectory() =>
        ProcessRunner.IsRoot
            ? "/var/lib/hcpplatform/postgres"
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
                "hcpplatform", "postgres");
}

/// <summary>State of the shared embedded cluster, for <c>hcp db status</c> and <c>hcp db url</c>.</summary>
/// <param name="Port">The running server's port, else the one the next start would try first.</param>
public sealed record EmbeddedPostgresStatus(
    bool Running, int Port, string DataDirectory, string ConnectionString, int? ProcessId);
