using System.Collections.Concurrent;
using System.Net.Http.Headers;
using HcpPlatform.Data.Loading;
using HcpPlatform.Data.Security;
using HcpPlatform.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>Every test class of this assembly shares one PostgreSQL cluster and one dataset; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AdminApiGroup : ICollectionFixture<AdminApiFixture>
{
    public const string Name = "admin-api";
}

/// <summary>The API keys made for the tests (in the template database, so every clone has them).</summary>
public sealed record TestKeys(string Admin, string Read, string Expired, string Revoked, Guid ReadId);

/// <summary>
/// A throwaway cluster, a dataset backfilled once (2,000 HCPs × 3 months through <see cref="AsOf"/>, the development
/// population over a shorter window) into a template database with keys of every kind, and clones of it
/// (CREATE DATABASE … TEMPLATE) for tests that change the data. <see cref="Shared"/> is the admin API on one clone.
/// </summary>
public sealed class AdminApiFixture : IAsyncLifetime
{
    public static readonly DateOnly AsOf = new(2026, 3, 31);
    public const int Hcps = 2000;
    public const int Months = 3;

    private readonly PostgresFixture _postgres = new();
    private readonly List<IAsyncDisposable> _hosts = [];

    public PostgresFixture Postgres => _postgres;
    public TestKeys Keys { get; private set; } = null!;
    public string SharedConnectionString { get; private set; } = "";
    public ApiHost Shared { get; private set; } = null!;

    /// <summary>An NPI that is in the dataset, and one that is valid but is not.</summary>
    public string KnownNpi { get; private set; } = "";
    public string UnknownNpi { get; } = Engine.Generators.Npi.ForSlot(42, 999_999);

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        SharedConnectionString = await CloneAsync();
        KnownNpi = await Sql.ScalarAsync<string>(SharedConnectionString, "SELECT npi FROM hcp.hcp_profiles ORDER BY hcp_index LIMIT 1 OFFSET 10");
        Shared = StartHost(SharedConnectionString);
    }

    /// <summary>A new database that is a copy of the template (dataset, lineage, keys), built on first use.</summary>
    public Task<string> CloneAsync() => _postgres.CloneAsync("admin-api", BuildTemplateAsync);

    private async Task BuildTemplateAsync(string template)
    {
        await Backfill.RunAsync(DataSources.For(template), new GenerationParameters
        {
            Seed = 42, Hcps = Hcps, Months = Months, Scenario = "custom", AsOf = AsOf, Parallelism = 2,
        }, null, CancellationToken.None);
        await using var connection = new NpgsqlConnection(template);
        await connection.OpenAsync();
        var admin = await ApiKeyStore.CreateAsync(connection, "test admin", ApiKeyScopes.Admin, null, default);
        var read = await ApiKeyStore.CreateAsync(connection, "test read", ApiKeyScopes.Read, 30, default);
        var expired = await ApiKeyStore.CreateAsync(connection, "test expired", ApiKeyScopes.Admin, 1, default);
        var revoked = await ApiKeyStore.CreateAsync(connection, "test revoked", ApiKeyScopes.Admin, null, default);
        await Sql.ExecuteAsync(connection, $"UPDATE platform.api_keys SET expires_at = now() - interval '1 hour' WHERE id = '{expired.Row.Id}'");
        await ApiKeyStore.RevokeAsync(connection, revoked.Row.Id.ToString(), default);
        Keys = new TestKeys(admin.Key, read.Key, expired.Key, revoked.Key, read.Row.Id);
    }

    /// <summary>Starts the admin API on a database; disposed with the fixture.</summary>
    public ApiHost StartHost(string connectionString, IDictionary<string, string?>? settings = null)
    {
        var host = new ApiHost(connectionString, settings);
        host.StartServer();
        _hosts.Add(host);
        return host;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
        await _postgres.DisposeAsync();
    }
}

/// <summary>
/// The real admin API (Program.cs as is) on Kestrel at 127.0.0.1 on a free port (the browser test needs a real address),
/// against the given database; its log lines at every level are kept in memory.
/// </summary>
public sealed class ApiHost : ServiceHost<Program>
{
    public ApiHost(string connectionString, IDictionary<string, string?>? settings = null)
        : base(connectionString, WithDefaults(settings))
    {
        UseKestrel();
    }

    private static Dictionary<string, string?> WithDefaults(IDictionary<string, string?>? settings)
    {
        var all = new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0", ["Logging:LogLevel:Default"] = "Trace" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return all;
    }

    /// <summary>Every log line the service wrote (to check that no key is ever logged).</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public Uri BaseAddress
    {
        get
        {
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging =>
        {
            // Everything, at every level, into memory only (the test output stays readable).
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(new CapturingLoggerProvider(Logs));
        });
    }

    /// <summary>A client with the key as X-Api-Key (none when null).</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> into) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, into);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> into) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            into.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}
