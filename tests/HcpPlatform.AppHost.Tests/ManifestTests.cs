using System.Diagnostics;
using System.Text.Json;

namespace HcpPlatform.AppHost.Tests;

/// <summary>
/// The deployment input: the AppHost's publish manifest (what azd reads), produced as azd produces it — the AppHost run
/// with "--publisher manifest" — and checked for the resources, the database reference and the admin API's external
/// endpoint; and azure.yaml names that AppHost.
/// </summary>
public sealed class ManifestTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public async Task The_publish_manifest_has_the_container_postgres_the_services_and_only_the_admin_api_external()
    {
        using var manifest = await PublishManifestAsync([]);
        var resources = manifest.RootElement.GetProperty("resources");

        // Publishing uses the container PostgreSQL (whatever this machine would run), with its database.
        Assert.Equal("container.v0", resources.GetProperty("postgres").GetProperty("type").GetString());
        Assert.StartsWith("docker.io/library/postgres:", resources.GetProperty("postgres").GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal("value.v0", resources.GetProperty("hcpdb").GetProperty("type").GetString());
        Assert.Equal("parameter.v0", resources.GetProperty("admin-key").GetProperty("type").GetString());

        foreach (var service in new[] { "migrations", "generator", "validation", "admin" })
        {
            var project = resources.GetProperty(service);
            Assert.Equal("project.v0", project.GetProperty("type").GetString());
            Assert.Equal("{hcpdb.connectionString}", project.GetProperty("env").GetProperty("ConnectionStrings__hcpdb").GetString());
            var external = project.TryGetProperty("bindings", out var bindings)
                && bindings.EnumerateObject().Any(b => b.Value.TryGetProperty("external", out var e) && e.GetBoolean());
            Assert.Equal(service == "admin", external);
        }
        Assert.Equal("{admin-key.value}", resources.GetProperty("admin").GetProperty("env").GetProperty("AdminApi__BootstrapKey").GetString());
        // The dashboard commands and the local-binaries server are nothing a deployment carries.
        Assert.DoesNotContain(resources.EnumerateObject(), r => r.Value.GetProperty("type").GetString() == "executable.v0");

        // azure.yaml deploys that AppHost to Container Apps.
        var azure = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "azure.yaml"));
        Assert.Contains("project: ./HcpPlatform.AppHost/HcpPlatform.AppHost.csproj", azure, StringComparison.Ordinal);
        Assert.Contains("host: containerapp", azure, StringComparison.Ordinal);
        Assert.Contains("language: dotnet", azure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_existing_server_the_manifest_asks_for_the_connection_string()
    {
        using var manifest = await PublishManifestAsync(["PostgresMode=existing"]);
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.False(resources.TryGetProperty("postgres", out _));
        Assert.Equal("parameter.v0", resources.GetProperty("hcpdb").GetProperty("type").GetString());
        Assert.Equal("{hcpdb.connectionString}", resources.GetProperty("admin").GetProperty("env").GetProperty("ConnectionStrings__hcpdb").GetString());
    }

    /// <summary>Runs the built AppHost as azd does ("--publisher manifest --output-path"), in its own folder.</summary>
    private static async Task<JsonDocument> PublishManifestAsync(string[] settings)
    {
        var output = Path.Combine(Path.GetTempPath(), "hcp-manifest-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(output);
        try
        {
            var path = Path.Combine(output, "aspire-manifest.json");
            var appHost = Path.Combine(AppContext.BaseDirectory, "HcpPlatform.AppHost.dll");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.Combine(RepositoryRoot, "HcpPlatform.AppHost"),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { appHost, "--publisher", "manifest", "--output-path", path }.Concat(settings))
            {
                start.ArgumentList.Add(a);
            }
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{await stdout}\n{await stderr}");
            return JsonDocument.Parse(await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HcpPlatform.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("HcpPlatform.sln not found above " + AppContext.BaseDirectory);
    }
}
