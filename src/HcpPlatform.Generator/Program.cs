using HcpPlatform.Generator.Extensions;
using HcpPlatform.Postgres;

// The generator worker: appends simulated days (nightly, or accelerated) as platform.simulation_state asks. On its own
// (dotnet run --project src/HcpPlatform.Generator) it uses the shared embedded PostgreSQL; under Aspire, hcpdb.
var builder = WebApplication.CreateBuilder(ServiceContentRoot.WebOptions(args));
await builder.Configuration.AddEmbeddedPostgresUnlessConfiguredAsync();
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
