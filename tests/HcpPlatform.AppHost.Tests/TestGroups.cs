using HcpPlatform.Testing;

namespace HcpPlatform.AppHost.Tests;

/// <summary>One throwaway cluster for every test class of this assembly: the "existing server" of the AppHost.</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresGroup : ICollectionFixture<PostgresFixture>;
