using System.Globalization;
using HcpPlatform.AppHost;
using Microsoft.Extensions.Configuration;

// The HcpPlatform AppHost.
//   dotnet run --project HcpPlatform.AppHost
//       PostgresMode auto: PostgreSQL in a container (data volume, pgAdmin) when a container runtime is healthy, else
//       from this machine's PostgreSQL server binaries (a persistent data folder, see LocalPostgres.cs).
//   dotnet run --project HcpPlatform.AppHost -- PostgresMode=container|local|existing
//       an explicit choice; existing takes "ConnectionStrings:hcpdb=Host=…;Database=hcpdb;…".
// Publishing (azd, or --publisher manifest) always describes the container PostgreSQL (or, with PostgresMode=existing,
// a connection string parameter): a server run from one machine's binaries is nothing a deployment can use.
// The migration worker applies the schema and exits; the generator, the validation service and the admin API wait
// for it to complete (exit code 0) and do not migrate themselves (Database:MigrateOnStart=false): one migrator.
// Every project calls AddServiceDefaults, so traces, metrics and logs reach the dashboard.
var builder = DistributedApplication.CreateBuilder(args);
const string DatabaseName = "hcpdb";

var requested = PostgresModeSelection.Requested(builder.Configuration);
var binDirectory = builder.Configuration["Postgres:BinDirectory"];
var mode = builder.ExecutionContext.IsPublishMode
    ? requested == PostgresMode.Existing ? PostgresMode.Existing : PostgresMode.Container
    : requested ?? PostgresModeSelection.Detect(builder.Configuration, binDirectory, Console.WriteLine);

IResourceBuilder<IResourceWithConnectionString> hcpdb;
IResourceBuilder<IResource>? database = null;
switch (mode)
{
    case PostgresMode.Existing:
        // ConnectionStrings:hcpdb from configuration (user secrets, environment ConnectionStrings__hcpdb, or an argument).
        hcpdb = builder.AddConnectionString(DatabaseName);
        break;
    case PostgresMode.Local:
        var port = builder.Configuration.GetValue("Postgres:Port", 54330);
        var dataDirectory = builder.Configuration["Postgres:DataDirectory"] is { Length: > 0 } d ? d : LocalPostgresBuilderExtensions.DefaultDataDirectory();
        var local = builder.AddLocalPostgres("postgres", dataDirectory, port, binDirectory, DatabaseName);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL from the server binaries: data {local.Resource.DataDirectory}, port {port}."));
        hcpdb = local;
        database = local;
        break;
    default:
        var postgres = builder.AddPostgres("postgres")
            .WithDataVolume()
            .WithLifetime(ContainerLifetime.Persistent)
            .WithPgAdmin(pgAdmin => pgAdmin.WithLifetime(ContainerLifetime.Persistent));
        var postgresDatabase = postgres.AddDatabase(DatabaseName);
        hcpdb = postgresDatabase;
        database = postgresDatabase;
        break;
}

// Admin API key for the page and the API before any key exists in platform.api_keys (AdminApi:BootstrapKey):
// generated once and kept in the AppHost's user secrets; set Parameters:admin-key to choose it.
var adminKey = builder.AddParameter("admin-key", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);

var migrations = builder.AddProject<Projects.HcpPlatform_MigrationService>("migrations")
    .WithReference(hcpdb, DatabaseName);
if (database is not null)
{
    migrations.WaitFor(database);
}

builder.AddProject<Projects.HcpPlatform_Generator>("generator")
    .WithDatabaseMigratedBy(hcpdb, DatabaseName, migrations)
    .WithHttpEndpointUnlessDeclared()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.HcpPlatform_ValidationService>("validation")
    .WithDatabaseMigratedBy(hcpdb, DatabaseName, migrations)
    .WithHttpEndpointUnlessDeclared()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.HcpPlatform_AdminApi>("admin")
    .WithDatabaseMigratedBy(hcpdb, DatabaseName, migrations)
    .WithEnvironment("AdminApi__BootstrapKey", adminKey)
    .WithHttpEndpointUnlessDeclared()
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    .WithPlatformCommands(adminKey);

builder.Build().Run();

internal static class ProjectResourceExtensions
{
    /// <summary>
    /// A service on hcpdb that starts once the migration worker has completed, and leaves migrating to it
    /// (Database:MigrateOnStart=false; a service run on its own migrates at start).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDatabaseMigratedBy(this IResourceBuilder<ProjectResource> project,
        IResourceBuilder<IResourceWithConnectionString> database, string connectionName, IResourceBuilder<ProjectResource> migrations) =>
        project.WithReference(database, connectionName)
            .WaitForCompletion(migrations)
            .WithEnvironment("Database__MigrateOnStart", "false");

    /// <summary>
    /// The "http" endpoint comes from the project's launchSettings.json when it declares one; a project without
    /// one gets it here, so its health check and (for the admin API) external endpoint always have an endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithHttpEndpointUnlessDeclared(this IResourceBuilder<ProjectResource> project) =>
        project.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == "http")
            ? project
            : project.WithHttpEndpoint(name: "http");
}
