using HcpPlatform.Testing;

// ActivitySource and Meter listeners are process-wide: one service at a time, so no test sees another's telemetry.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace HcpPlatform.ValidationService.Tests;

/// <summary>One throwaway cluster for every test class of this assembly.</summary>
[CollectionDefinition(PostgresFixture.CollectionName)]
public sealed class PostgresGroup : ICollectionFixture<PostgresFixture>;
