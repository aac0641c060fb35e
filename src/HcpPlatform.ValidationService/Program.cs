using HcpPlatform.Postgres;
using HcpPlatform.ValidationService;
using HcpPlatform.ValidationService.Extensions;

// The validation service: validates the dataset after each backfill and increment, on a schedule and on demand. On its
// own (dotnet run --project src/HcpPlatform.ValidationService) it uses the shared embedded PostgreSQL; under Aspire, hcpdb.
var builder = WebApplication.CreateBuilder(ServiceContentRoot.WebOptions(args));
await builder.Configuration.AddEmbeddedPostgresUnlessConfiguredAsync();
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapValidationEndpoints();
await app.RunAsync();
