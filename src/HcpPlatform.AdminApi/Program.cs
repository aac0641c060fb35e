using HcpPlatform.AdminApi.Apis;
using HcpPlatform.AdminApi.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
await builder.AddApplicationServicesAsync();

var app = builder.Build();

app.UseAdminApiPipeline();
app.MapDefaultEndpoints();

app.MapGenerationApi();
app.MapDataApi();
app.MapRunsApi();
app.MapValidationApi();
app.MapKeysApi();
app.MapAdminPage();

app.UseDefaultOpenApi();

await app.RunAsync();
