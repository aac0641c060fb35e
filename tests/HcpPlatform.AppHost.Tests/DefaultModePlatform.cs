using System.Globalization;
using HcpPlatform.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace HcpPlatform.AppHost.Tests;

/// <summary>
/// The AppHost as `dotnet run` starts it with nothing configured, on a machine with PostgreSQL's server binaries and
/// no container runtime: PostgresMode auto picks the local binaries. Only where it keeps things differs, so that a test
/// never touches the user's persistent folder or a port in use: a throwaway data folder and free ports. The dashboard
/// is on (the testing builder turns it off by default), with unsecured frontend auth for the browser test.
/// </summary>
public sealed class DefaultModePlatform : IAsyncLifetime
{
    public const string AdminKey = "apphost-default-mode-admin-key-0123456789";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? _app;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "hcp-apphost-" + Guid.NewGuid().ToString("N")[..12]);

    public int PostgresPort { get; } = LocalPorts.FindFree();

    /// <summary>Where the dashboard serves its pages (the testing builder chooses the port).</summary>
    public Uri DashboardUrl => App.GetEndpoint("aspire-dashboard", "http");

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform has not started.");

    public IReadOnlyList<string> ResourceKinds { get; private set; } = [];

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var ct = timeout.Token;
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HcpPlatform_AppHost>(
        [
            $"Postgres:DataDirectory={DataDirectory}",
            string.Create(CultureInfo.InvariantCulture, $"Postgres:Port={PostgresPort}"),
            $"Parameters:admin-key={AdminKey}",
            "ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
        ], (options, _) =>
        {
            options.DisableDashboard = false;
            options.AllowUnsecuredTransport = true;
        }, ct);
        ResourceKinds = [.. appHost.Resources.Select(r => $"{r.Name}:{r.GetType().Name}")];
        _app = await appHost.BuildAsync(ct);
        await _app.StartAsync(ct);
    }

    /// <summary>Runs a dashboard command of a resource, as the dashboard's button does.</summary>
    public Task<ExecuteCommandResult> CommandAsync(string resource, string command, CancellationToken ct) =>
        App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command, ct);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A throwaway folder under the temp directory: left for the OS to clean.
        }
    }
}
