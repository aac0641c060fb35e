using HcpPlatform.Testing;

namespace HcpPlatform.MigrationService.Tests;

/// <summary>One throwaway cluster for every test class of this assembly.</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresGroup : ICollectionFixture<PostgresFixture>;
