using System.Net;
using HcpPlatform.Testing;

namespace HcpPlatform.FaultInjection.Tests;

/// <summary>A service started from another folder (here /tmp) still reads the appsettings.json it was built with.</summary>
[Collection(FaultGroup.Name)]
public sealed class ContentRootTests(FaultFixture fixture)
{
    public static TheoryData<string> Services => [ServiceProcess.AdminApi, ServiceProcess.Generator, ServiceProcess.Validation];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_service_started_from_another_folder_uses_its_own_folder_and_settings(string project)
    {
        var cs = await fixture.DatasetAsync();
        // The logging levels come from the service's appsettings.json alone (nothing set here): Information for the
        // host's lifetime lines, Warning for Microsoft.AspNetCore. Without that file every category logs at Information.
        await using var service = ServiceProcess.Start(project, cs, new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Default"] = null,
            ["Generator__WorkerId"] = "content-root",
        }, workingDirectory: "/tmp");
        var folder = Path.GetDirectoryName(TestProcess.BuiltDll(project))!;
        var line = await service.Process.WaitForLineAsync(l => l.Contains("Content root path:", StringComparison.Ordinal), "naming the content root", TimeSpan.FromSeconds(60));
        Assert.Contains(folder, line, StringComparison.Ordinal);

        // A request goes through Microsoft.AspNetCore's routing, which logs at Information ("Executing endpoint"): silent
        // under the service's settings.
        await service.HealthyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
        await service.Process.KillAsync();
        Assert.DoesNotContain("Microsoft.AspNetCore.Routing.EndpointMiddleware", service.Process.Stdout, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Hosting.Lifetime", service.Process.Stdout, StringComparison.Ordinal);
    }
}
