using HcpPlatform.Testing;

namespace HcpPlatform.Cli.Tests;

[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresGroup : ICollectionFixture<PostgresFixture>;
