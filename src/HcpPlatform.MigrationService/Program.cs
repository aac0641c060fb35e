using HcpPlatform.MigrationService;
using HcpPlatform.MigrationService.Extensions;
using HcpPlatform.Postgres;

// The migration worker: applies the schema and exits (0: migrated or up to date, 1: failed). Under Aspire it alone
// migrates, and the services wait for it to complete.
var builder = Host.CreateApplicationBuilder(ServiceContentRoot.WorkerSettings(args));
await builder.Configuration.AddEmbeddedPostgresUnlessConfiguredAsync();
builder.AddServiceDefaults();
builder.AddApplicationServices();

using var host = builder.Build();
await host.RunAsync();
return MigrationWorker.ExitCode;
