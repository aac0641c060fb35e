using System.Net;
using System.Text.Json;
using HcpPlatform.AppHost;
using Microsoft.Playwright;

namespace HcpPlatform.AppHost.Tests;

/// <summary>A fact that runs only where Debian's chromium is installed (scripts/test.sh installs it); skipped, visibly, elsewhere.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"{ChromiumPath} is not installed (apt-get install -y chromium); the dashboard browser test did not run.";
        }
    }
}

/// <summary>
/// The platform in the default mode (local PostgreSQL binaries here), run from the dashboard's commands on the admin
/// resource, and the dashboard itself in headless Chromium.
/// </summary>
public sealed class DefaultModeTests(DefaultModePlatform platform) : IClassFixture<DefaultModePlatform>
{
    private static readonly TimeSpan WorkTimeout = TimeSpan.FromMinutes(2);
    private static readonly string[] Services = ["migrations", "generator", "validation", "admin"];

    [Fact]
    public async Task The_default_mode_runs_postgres_from_the_binaries_and_the_commands_run_the_platform()
    {
        using var timeout = new CancellationTokenSource(DefaultModePlatform.StartTimeout + WorkTimeout);
        var ct = timeout.Token;
        var app = platform.App;

        // No container: PostgreSQL is an executable resource of its own, with a connection string to the platform's database.
        Assert.Contains("postgres:LocalPostgresResource", platform.ResourceKinds);
        Assert.DoesNotContain(platform.ResourceKinds, k => k.Contains("Container", StringComparison.Ordinal));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("postgres", ct).WaitAsync(DefaultModePlatform.StartTimeout, ct);
        var connectionString = await app.GetConnectionStringAsync("postgres", ct);
        Assert.Contains($"Port={platform.PostgresPort}", connectionString, StringComparison.Ordinal);
        Assert.Contains("Database=hcpdb", connectionString, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(platform.DataDirectory, "PG_VERSION")), "the cluster lives in the test's own data folder");

        // The migration worker exits 0; the services are healthy.
        var migrations = await app.ResourceNotifications.WaitForResourceAsync("migrations",
            e => e.Snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state), ct).WaitAsync(DefaultModePlatform.StartTimeout, ct);
        Assert.Equal(0, migrations.Snapshot.ExitCode);
        foreach (var service in Services.Skip(1))
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, ct).WaitAsync(DefaultModePlatform.StartTimeout, ct);
        }

        // A command reports the API's error: nothing to advance before a dataset exists.
        if (await Poll.ScalarAsync(connectionString!, "SELECT count(*) FROM hcp.dataset_info") == 0)
        {
            var refused = await platform.CommandAsync("admin", AdminCommands.AdvanceOneDay, ct);
            Assert.False(refused.Success);
            Assert.Contains("409 There is no dataset to extend yet", refused.Message, StringComparison.Ordinal);
        }

        // "Backfill development dataset": the run starts, its rows land, the validation service validates it.
        var backfill = await platform.CommandAsync("admin", AdminCommands.BackfillDevelopment, ct);
        Assert.True(backfill.Success, backfill.Message);
        Assert.StartsWith("Backfill started: run ", backfill.Message, StringComparison.Ordinal);
        var runId = Guid.Parse(backfill.Message!.Split(' ')[3]);
        var status = await Poll.UntilAsync(async () => await StatusAsync(connectionString!, runId) is { } s and not "running" ? s : null, WorkTimeout, "the backfill", ct);
        Assert.Equal("succeeded", status);
        Assert.Equal(2000, await Poll.ScalarAsync(connectionString!, "SELECT count(*) FROM hcp.hcp_profiles"));
        Assert.True(await Poll.ScalarAsync(connectionString!, "SELECT count(*) FROM hcp.stimuli_events") > 50_000);
        using var validation = app.CreateHttpClient("validation");
        await Poll.UntilAsync(async () =>
        {
            using var response = await validation.GetAsync(new Uri("/validations/latest", UriKind.Relative), ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            using var latest = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var run = latest.RootElement.GetProperty("generationRunId");
            return run.ValueKind == JsonValueKind.String && run.GetGuid() == runId ? "validated" : null;
        }, WorkTimeout, "the validation of the backfill", ct);

        // "Advance one day", "Validate now", "Play accelerated" and "Pause" report what the API did.
        var advanced = await platform.CommandAsync("admin", AdminCommands.AdvanceOneDay, ct);
        Assert.True(advanced.Success, advanced.Message);
        Assert.StartsWith("Appended 20", advanced.Message, StringComparison.Ordinal);
        var validated = await platform.CommandAsync("admin", AdminCommands.ValidateNow, ct);
        Assert.True(validated.Success, validated.Message);
        Assert.StartsWith("Validation passed: ", validated.Message, StringComparison.Ordinal);
        var play = await platform.CommandAsync("admin", AdminCommands.PlayAccelerated, ct);
        Assert.True(play.Success, play.Message);
        Assert.Equal("Playing: one simulated day every 2 s", play.Message);
        var pause = await platform.CommandAsync("admin", AdminCommands.Pause, ct);
        Assert.True(pause.Success, pause.Message);
        Assert.StartsWith("Desired mode: paused", pause.Message, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task The_dashboard_shows_the_services_in_their_states_and_an_increment_trace_by_name()
    {
        using var timeout = new CancellationTokenSource(DefaultModePlatform.StartTimeout + WorkTimeout);
        var ct = timeout.Token;
        var app = platform.App;
        await app.ResourceNotifications.WaitForResourceHealthyAsync("admin", ct).WaitAsync(DefaultModePlatform.StartTimeout, ct);
        var connectionString = await app.GetConnectionStringAsync("postgres", ct);
        if (await Poll.ScalarAsync(connectionString!, "SELECT count(*) FROM hcp.dataset_info") == 0)
        {
            var backfill = await platform.CommandAsync("admin", AdminCommands.BackfillDevelopment, ct);
            Assert.True(backfill.Success, backfill.Message);
            var runId = Guid.Parse(backfill.Message!.Split(' ')[3]);
            Assert.Equal("succeeded", await Poll.UntilAsync(async () => await StatusAsync(connectionString!, runId) is { } s and not "running" ? s : null, WorkTimeout, "the backfill", ct));
        }
        // A day appended now: its trace is named for it.
        var advanced = await platform.CommandAsync("admin", AdminCommands.AdvanceOneDay, ct);
        Assert.True(advanced.Success, advanced.Message);
        var day = advanced.Message!.Split(' ')[1].TrimEnd(':');

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(60_000);

        // Resources: the four services, the worker Finished and the others Running.
        await page.GotoAsync(platform.DashboardUrl.ToString());
        foreach (var service in Services)
        {
            await Assertions.Expect(page.GetByText(service, new PageGetByTextOptions { Exact = true }).First).ToBeVisibleAsync(Visible);
        }
        // The states as the grid shows them: the same words also label the (hidden) state filter.
        var states = page.GetByRole(AriaRole.Gridcell);
        await Assertions.Expect(states.Filter(new LocatorFilterOptions { HasText = "Finished" }).First).ToBeVisibleAsync(Visible);
        await Assertions.Expect(states.Filter(new LocatorFilterOptions { HasText = "Running" }).First).ToBeVisibleAsync(Visible);
        var text = await page.InnerTextAsync("body");
        Assert.True(CountOf(text, "Running") >= 4, "generator, validation, admin and postgres are Running:\n" + text);

        // Traces: the day's increment, by its name.
        await page.GotoAsync(new Uri(platform.DashboardUrl, "/traces").ToString());
        await Assertions.Expect(page.GetByText($"hcp.increment {day}").First).ToBeVisibleAsync(Visible);
    }

    // Assertions wait as long as the page's actions do (their default is 5 s, short on a loaded machine).
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 60_000 };

    private static int CountOf(string text, string word)
    {
        var n = 0;
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + word.Length, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }

    private static async Task<string?> StatusAsync(string connectionString, Guid runId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT status FROM platform.generation_runs WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", runId);
        return await command.ExecuteScalarAsync() as string;
    }
}
