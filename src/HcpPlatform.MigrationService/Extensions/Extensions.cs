using HcpPlatform.Data.Hosting;
using OpenTelemetry.Trace;

namespace HcpPlatform.MigrationService.Extensions;

public static class Extensions
{
    /// <summary>
    /// The migration worker's services: hcpdb's data source (Aspire.Npgsql; no DbContext and no migration on start: this
    /// worker is the migrator), its options, the worker, and the platform's ActivitySource for its "hcp.migrate" trace.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNpgsqlDataSource(HcpDatabase.ConnectionName);
        builder.Services.AddOptions<MigrationOptions>().BindConfiguration(MigrationOptions.SectionName);
        builder.Services.AddHostedService<MigrationWorker>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(PlatformTelemetry.Name));
        return builder;
    }
}
