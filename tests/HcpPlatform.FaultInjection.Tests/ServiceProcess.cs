using System.Globalization;
using System.Net;
using HcpPlatform.Postgres;
using HcpPlatform.Testing;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>
/// One of the platform's services run as the process it is in production (<c>dotnet &lt;service&gt;.dll</c>, built next to
/// the tests) on a free loopback port: killed with kill -9 by the tests, and with its process tree when disposed.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public const string AdminApi = "HcpPlatform.AdminApi";
    public const string Generator = "HcpPlatform.Generator";
    public const string Validation = "HcpPlatform.ValidationService";

    private ServiceProcess(string name, TestProcess process, Uri baseAddress)
    {
        Name = name;
        Process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(90) };
    }

    public string Name { get; }

    public TestProcess Process { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    /// <summary>
    /// Starts <paramref name="project"/> against <paramref name="connectionString"/>: the settings a test run must pin
    /// (nothing exported, no migration: the test database is migrated) plus <paramref name="settings"/> (environment
    /// variables, e.g. <c>Generator__WorkerId</c>; a null value removes one). <paramref name="workingDirectory"/>: where it
    /// is started from (the tests' own folder unless said).
    /// </summary>
    public static ServiceProcess Start(string project, string connectionString, IReadOnlyDictionary<string, string?>? settings = null, string? workingDirectory = null)
    {
        var port = LocalPorts.FindFree();
        var baseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__hcpdb"] = connectionString,
            ["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/'),
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
            ["ASPNETCORE_CONTENTROOT"] = null,
            ["DOTNET_CONTENTROOT"] = null,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null,
            ["Database__MigrateOnStart"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Generator__PollInterval"] = "00:00:00.2",
            ["Generator__RetryDelay"] = "00:00:00.5",
            // The validation service validates on a change and on demand only; its timed checks are bench/'s business.
            ["Validation__PollInterval"] = "01:00:00",
            ["Validation__ScheduleInterval"] = "00:00:00",
            ["Validation__Scope"] = "AllButPerformance",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }
        var dll = TestProcess.BuiltDll(project);
        var process = TestProcess.Start("dotnet", [dll], environment, workingDirectory);
        return new ServiceProcess(project, process, baseAddress);
    }

    /// <summary>Waits until /health answers 200 (the service is up and reaches its database).</summary>
    public Task HealthyAsync(TimeSpan timeout) => Poll.UntilAsync(async () =>
    {
        if (Process.HasExited)
        {
            throw new InvalidOperationException($"{Name} exited: {Process.Stdout}{Process.Stderr}");
        }
        try
        {
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            return (await Http.GetAsync(new Uri("/health", UriKind.Relative), probe.Token)).StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }, $"{Name} healthy", timeout);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
