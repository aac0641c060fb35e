using Microsoft.Extensions.Configuration;

// The HcpPlatform AppHost (issue 8).
//   dotnet run --project HcpPlatform.AppHost
//       PostgreSQL in a container (persistent data volume, pgAdmin), database "hcpdb".
//   dotnet run --project HcpPlatform.AppHost -- UseExistingPostgres=true "ConnectionStrings:hcpdb=Host=…;Database=hcpdb;…"
//       an existing server instead: no container, so no Docker needed.
// The migration worker applies the schema and exits; the generator, the validation service and the admin API wait
// for it to complete (exit code 0). Every project calls AddServiceDefaults, so traces, metrics and logs reach the dashboard.
var builder = DistributedApplication.CreateBuilder(args);

IResourceBuilder<IResourceWithConnectionString> hcpdb;
IResourceBuilder<IResource>? database = null;
if (builder.Configuration.GetValue<bool>("UseExistingPostgres"))
{
    // ConnectionStrings:hcpdb from configuration (user secrets, environment ConnectionStrings__hcpdb, or an argument).
    hcpdb = builder.AddConnectionString("hcpdb");
}
else
{
    var postgres = builder.AddPostgres("postgres")
        .WithDataVolume()
        .WithLifetime(ContainerLifetime.Persistent)
        .WithPgAdmin(pgAdmin => pgAdmin.WithLifetime(ContainerLifetime.Persistent));
    var postgresDatabase = postgres.AddDatabase("hcpdb");
    hcpdb = postgresDatabase;
    database = postgresDatabase;
}

// Admin API key for the page and the API before any key exists in platform.api_keys (AdminApi:BootstrapKey):
// generated once and kept in the AppHost's user secrets; set Parameters:admin-key to choose it.
var adminKey = builder.AddParameter("admin-key", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.HcpPlatform_MigrationService>("migrations")
    .WithReference(hcpdb);
if (database is not null)
{
    migrations.WaitFor(database);
}

builder.AddProject<Projects.HcpPlatform_Generator>("generator")
    .WithReference(hcpdb)
    .WaitForCompletion(migrations)
    .WithHttpEndpointUnlessDeclared()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.HcpPlatform_ValidationService>("validation")
    .WithReference(hcpdb)
    .WaitForCompletion(migrations)
    .WithHttpEndpointUnlessDeclared()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.HcpPlatform_AdminApi>("admin")
    .WithReference(hcpdb)
    .WaitForCompletion(migrations)
    .WithEnvironment("AdminApi__BootstrapKey", adminKey)
    .WithHttpEndpointUnlessDeclared()
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();

internal static class ProjectResourceExtensions
{
    /// <summary>
    /// The "http" endpoint comes from the project's launchSettings.json when it declares one; a project without
    /// one gets it here, so its health check and (for the admin API) external endpoint always have an endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHttpEndpointUnlessDeclared(this IResourceBuilder<ProjectResource> project) =>
        project.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == "http")
            ? project
            : project.WithHttpEndpoint(name: "http");
}
