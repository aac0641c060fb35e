namespace HcpPlatform.AppHost.Tests;

/// <summary>PostgresMode: a wrong value, and a machine where no mode can work, stop the AppHost with a clear message.</summary>
public sealed class ModeSelectionTests
{
    [Fact]
    public async Task An_unknown_mode_names_the_allowed_ones()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => DistributedApplicationTestingBuilder.CreateAsync<Projects.HcpPlatform_AppHost>(["PostgresMode=cloud"]));
        Assert.Contains("PostgresMode 'cloud' is not a mode; allowed: container, local, existing, auto", Messages(e), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_container_runtime_and_no_server_binaries_the_message_says_what_to_do()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => DistributedApplicationTestingBuilder.CreateAsync<Projects.HcpPlatform_AppHost>(
        [
            "ASPIRE_CONTAINER_RUNTIME=hcp-no-such-runtime",
            "Postgres:BinDirectory=/nonexistent/postgresql/bin",
        ]));
        var message = Messages(e);
        Assert.Contains("No PostgreSQL for the platform.", message, StringComparison.Ordinal);
        Assert.Contains("no container runtime ('hcp-no-such-runtime' is not installed)", message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/postgresql/bin", message, StringComparison.Ordinal);
        Assert.Contains("PostgresMode=existing", message, StringComparison.Ordinal);
    }

    private static string Messages(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            messages.Add(x.Message);
        }
        return string.Join("\n", messages);
    }
}
