using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;

namespace HcpPlatform.Data.Hosting;

/// <summary>Registers the database for a host (the data layer's equivalent of Aspire's AddNpgsqlDbContext).</summary>
public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="NpgsqlDataSource"/>, a pooled <see cref="HcpDbContext"/> on that data source
    /// (with EF Core's retry on failure), the "postgres" health check (tagged "ready") and the
    /// <see cref="TransientRetry"/> pipeline as a keyed singleton (<see cref="TransientRetry.PipelineKey"/>).
    /// </summary>
    public static IHostApplicationBuilder AddHcpDatabase(
        this IHostApplicationBuilder builder,
        string connectionString,
        Action<NpgsqlDataSourceBuilder>? configureDataSource = null,
        Action<TransientRetryOptions>? configureRetry = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        var services = builder.Services;

        services.AddSingleton(sp =>
        {
            var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString);
            dataSourceBuilder.UseLoggerFactory(sp.GetService<ILoggerFactory>());
            configureDataSource?.Invoke(dataSourceBuilder);
            return dataSourceBuilder.Build();
        });

        services.AddDbContextPool<HcpDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.EnableRetryOnFailure()));

        services.AddHealthChecks().AddCheck<PostgresHealthCheck>(
            PostgresHealthCheck.Name,
            failureStatus: HealthStatus.Unhealthy,
            tags: [PostgresHealthCheck.ReadyTag],
            timeout: TimeSpan.FromSeconds(5));

        var retryOptions = new TransientRetryOptions();
        configureRetry?.Invoke(retryOptions);
        services.AddKeyedSingleton<ResiliencePipeline>(TransientRetry.PipelineKey, (sp, _) =>
            TransientRetry.Create(retryOptions, sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(TransientRetry).FullName!)));

        return builder;
    }
}
