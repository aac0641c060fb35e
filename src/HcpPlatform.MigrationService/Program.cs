using HcpPlatform.MigrationService;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOptions<MigrationOptions>().Bind(builder.Configuration.GetSection(MigrationOptions.SectionName));
builder.Services.AddHostedService<MigrationWorker>();

using var host = builder.Build();
await host.RunAsync();
return MigrationWorker.ExitCode;
