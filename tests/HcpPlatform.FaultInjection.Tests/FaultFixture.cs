using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Security;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>
/// Every fault test shares one PostgreSQL cluster and runs alone (one collection): some stop the whole server. Each test
/// gets its own copy of a small dataset (200 HCPs × 2 months through <see cref="AsOf"/>) that has an admin key.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultGroup : ICollectionFixture<FaultFixture>
{
    public const string Name = "faults";
}

public sealed class FaultFixture : IAsyncLifetime
{
    public static readonly DateOnly AsOf = new(2026, 2, 28);

    public static GenerationParameters Parameters { get; } = new()
    {
        Seed = 11, Hcps = 200, Months = 2, Scenario = "custom", AsOf = AsOf, Parallelism = 2,
    };

    private readonly PostgresFixture _postgres = new();

    public PostgresFixture Postgres => _postgres;

    /// <summary>The admin key stored in the template (every copy has it).</summary>
    public string AdminKey { get; private set; } = "";

    public Task InitializeAsync() => _postgres.InitializeAsync();

    /// <summary>A fresh copy of the dataset.</summary>
    public Task<string> DatasetAsync() => _postgres.CloneAsync("faults", async template =>
    {
        await Backfill.RunAsync(DataSources.For(template), Parameters, null, CancellationToken.None);
        await using var connection = new NpgsqlConnection(template);
        await connection.OpenAsync();
        AdminKey = (await ApiKeyStore.CreateAsync(connection, "fault tests", ApiKeyScopes.Admin, null, default)).Key;
    });

    public Task DisposeAsync() => _postgres.DisposeAsync();
}
