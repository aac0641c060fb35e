using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Validation;
using HcpPlatform.Testing;
using Npgsql;

namespace HcpPlatform.Validation.Tests;

/// <summary>
/// One development-scale dataset (seed 42, 2,000 HCPs, 12 months to 2026-06-30) generated once per test run
/// by the real loader into a throwaway PostgreSQL. Tests never change it for good: each corrupts it inside a
/// transaction and rolls back.
/// </summary>
public sealed class DevelopmentDatasetFixture : IAsyncLifetime
{
    public const string Schema = "hcp";

    public static readonly GenerationParameters Parameters = new()
    {
        Seed = 42,
        Hcps = 2000,
        Months = 12,
        AsOf = new DateOnly(2026, 6, 30),
    };

    private readonly PostgresFixture _postgres = new();

    public string ConnectionString { get; private set; } = "";

    /// <summary>The loader's own result, including the validation it ran on the build schema before the swap.</summary>
    public BackfillResult Backfill { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        // The backfill does not migrate: whoever owns the database does (here the fixture, as the CLI or the migration worker would).
        ConnectionString = await _postgres.CreateMigratedDatabaseAsync();
        Backfill = await Data.Loading.Backfill.RunAsync(DataSources.For(ConnectionString), Parameters, null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
    }

    /// <summary>Another database on the same server, with every migration applied and no dataset.</summary>
    public Task<string> CreateMigratedDatabaseAsync() => _postgres.CreateMigratedDatabaseAsync();

    private Task<string>? _scratch;

    /// <summary>
    /// One more database on the same server, shared by the tests that backfill datasets of their own one after another
    /// (each backfill replaces the previous dataset atomically, so no test needs a database of its own).
    /// </summary>
    public Task<string> ScratchDatabaseAsync() => _scratch ??= _postgres.CreateMigratedDatabaseAsync();

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<ValidationReport> ValidateAsync(ValidationScope scope = ValidationScope.AllButPerformance)
    {
        await using var connection = await OpenAsync();
        return await DatasetValidator.RunAsync(connection, Schema, scope, CancellationToken.None);
    }
}

[CollectionDefinition(Name)]
public sealed class DevelopmentDatasetGroup : ICollectionFixture<DevelopmentDatasetFixture>
{
    public const string Name = "development dataset";
}

/// <summary>
/// A second development dataset, for the statistical checks' corruption and fault tests: they run beside the exact
/// rules' (xunit runs collections in parallel), each test class of a collection after the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class StatisticalDatasetGroup : ICollectionFixture<DevelopmentDatasetFixture>
{
    public const string Name = "development dataset (statistical checks)";
}
