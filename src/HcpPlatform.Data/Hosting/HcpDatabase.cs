using HcpPlatform.Data.Migrations;
using HcpPlatform.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace HcpPlatform.Data.Hosting;

/// <summary>Settings of a service's database, from the configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>
    /// Apply pending migrations when the service starts (before anything else runs). Default true, so a service run on
    /// its own works on a fresh database; the AppHost sets it false for every service, as its migration worker alone
    /// migrates and the services start once it has finished.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>
/// The one way a service reaches the platform's database <c>hcpdb</c>: Aspire's client integrations, so one pool with
/// Npgsql's logging, traces, metrics and health checks serves raw Npgsql work (COPY, advisory locks) and EF Core alike.
/// </summary>
public static class HcpDatabase
{
    /// <summary>The connection name everywhere: <c>ConnectionStrings:hcpdb</c>, which Aspire sets.</summary>
    public const string ConnectionName = ConnectionStringResolver.ConnectionName;

    /// <summary>
    /// Service key of the unpooled <see cref="NpgsqlDataSource"/>: each connection a session of its own that ends when it
    /// is closed, for work that holds a session for long (LISTEN, a worker's session lock). KeepAlive finds a dead one.
    /// </summary>
    public const string SessionsKey = "hcpdb-sessions";

    /// <summary>
    /// Registers the pooled <see cref="NpgsqlDataSource"/> (Aspire.Npgsql: health check "PostgreSql", the "Npgsql" traces
    /// and metrics), <see cref="HcpDbContext"/> on that data source (enriched by Aspire.Npgsql.EntityFrameworkCore.PostgreSQL:
    /// retry on failure, health check "HcpDbContext"), the unpooled data source under <see cref="SessionsKey"/>, the
    /// platform's own ActivitySource and Meter (<see cref="PlatformTelemetry"/>), and, unless
    /// <c>Database:MigrateOnStart</c> is false, the migration of the database when the service starts.
    /// <paramref name="configureDataSource"/> applies to both data sources (e.g. an application name).
    /// </summary>
    public static TBuilder AddHcpDatabase<TBuilder>(this TBuilder builder, Action<NpgsqlDataSourceBuilder>? configureDataSource = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: configureDataSource);
        services.AddDbContextPool<HcpDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.EnrichNpgsqlDbContext<HcpDbContext>();

        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        services.AddKeyedSingleton(SessionsKey, (sp, _) =>
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set.");
            }
            var sessions = new NpgsqlDataSourceBuilder(connectionString);
            sessions.ConnectionStringBuilder.Pooling = false;
            sessions.ConnectionStringBuilder.KeepAlive = 15;
            sessions.UseLoggerFactory(sp.GetService<ILoggerFactory>());
            configureDataSource?.Invoke(sessions);
            return sessions.Build();
        });

        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(PlatformTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(PlatformTelemetry.Name));

        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName);
        services.AddHostedService<MigrationOnStart>();
        return builder;
    }

    /// <summary>
    /// Applies the pending migrations while the host starts, before the hosted services registered after it, when
    /// <see cref="DatabaseOptions.MigrateOnStart"/> is set; transient failures (a server still starting) are retried.
    /// </summary>
    private sealed class MigrationOnStart(NpgsqlDataSource dataSource, IOptions<DatabaseOptions> options, ILogger<MigrationOnStart> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.MigrateOnStart)
            {
                return;
            }
            using var span = PlatformTelemetry.StartWork("hcp.migrate");
            var report = await TransientRetry.Create(logger: logger)
                .ExecuteAsync(async ct => await DatabaseMigrator.MigrateAsync(dataSource, ct), cancellationToken);
            span?.SetTag("hcp.migrations_applied", report.Applied.Count);
            DataLog.MigratedOnStart(logger, report.Applied.Count, report.CurrentVersion);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
