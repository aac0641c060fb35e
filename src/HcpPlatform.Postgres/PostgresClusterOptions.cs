namespace HcpPlatform.Postgres;

/// <summary>Where and how a local PostgreSQL cluster lives.</summary>
public sealed class PostgresClusterOptions
{
    /// <summary>The cluster's data directory (PGDATA). Created and initialised when missing or empty.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>TCP port on 127.0.0.1.</summary>
    public int Port { get; init; } = 5432;

    /// <summary>Directory of initdb/pg_ctl/postgres; null: HCP_PG_BIN, then the usual places (see <see cref="PostgresBinaries.Locate"/>).</summary>
    public string? BinDirectory { get; init; }

    /// <summary>
    /// False for throwaway test clusters: fsync, synchronous_commit and full_page_writes off, initdb --no-sync.
    /// A crash of the machine may then corrupt the cluster, which a test cluster does not care about.
    /// </summary>
    public bool Durable { get; init; } = true;

    public string SharedBuffers { get; init; } = "256MB";

    public int MaxConnections { get; init; } = 200;

    /// <summary>Bound for pg_ctl start/stop and for the first connection to succeed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
}

public enum PostgresStopMode
{
    /// <summary>Disconnect clients, checkpoint, stop: the normal shutdown.</summary>
    Fast,

    /// <summary>Quit at once; crash recovery runs at the next start. For throwaway clusters.</summary>
    Immediate,
}

/// <summary>Whether a cluster's postmaster runs, and on which port (read from postmaster.pid).</summary>
public sealed record PostgresClusterStatus(bool Running, int? ProcessId, int? Port, string DataDirectory);
