using HcpPlatform.Testing;

namespace HcpPlatform.Data.Tests;

/// <summary>One throwaway cluster for every test class of this assembly that needs PostgreSQL.</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresGroup : ICollectionFixture<PostgresFixture>;

/// <summary>
/// Tests that change process-wide environment variables (HCP_DATA_DIR, HCP_PG_PORT, HCP_PG_BIN) run alone,
/// after the parallel collections, so no other test reads a value meant for them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentGroup
{
    public const string Name = "environment";
}
