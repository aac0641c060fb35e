using HcpPlatform.Testing;

namespace HcpPlatform.Generator.Tests;

/// <summary>One throwaway cluster for every test class of this assembly (each test gets its own database).</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresGroup : ICollectionFixture<PostgresFixture>;
