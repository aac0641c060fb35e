using HcpPlatform.AdminApi.Apis;
using HcpPlatform.AdminApi.Extensions;
using HcpPlatform.Postgres;

// The admin API and page. On its own (dotnet run --project src/HcpPlatform.AdminApi) it uses the shared embedded
// PostgreSQL; under Aspire, hcpdb.
var builder = WebApplication.CreateBuilder(ServiceContentRoot.WebOptions(args));
await builder.Configuration.AddEmbeddedPostgresUnlessConfiguredAsync();
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseAdminApiPipeline();
app.MapDefaultEndpoints();
app.MapGenerationApi();
app.MapDataApi();
app.MapRunsApi();
app.MapValidationApi();
app.MapKeysApi();
app.MapInterventionsApi();
app.MapAdminPage();
app.UseDefaultOpenApi();
await app.RunAsync();
