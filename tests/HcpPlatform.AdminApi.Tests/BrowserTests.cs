using System.Globalization;
using HcpPlatform.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>A fact that runs only where Debian's chromium is installed (scripts/test.sh installs it); skipped, visibly, elsewhere.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"{ChromiumPath} is not installed (apt-get install -y chromium); the headless browser test of the admin page did not run.";
        }
    }
}

/// <summary>
/// The admin page in headless Chromium against the real service and the real generator worker (hosted in this
/// process on the same database): enter a key, start accelerated generation, see the counts move, pause, screenshot.
/// </summary>
[Collection(AdminApiGroup.Name)]
public sealed class BrowserTests(AdminApiFixture fixture, ITestOutputHelper output)
{
    [ChromiumFact]
    public async Task The_page_starts_accelerated_generation_shows_counts_moving_and_pauses()
    {
        var connectionString = await fixture.CloneAsync();
        var api = fixture.StartHost(connectionString);
        await using var worker = GeneratorWorker.Start(connectionString, "browser-test-worker");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await AdminPage.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1300 } });
        var screenshot = AdminPage.ArtifactPath("admin-page.png");
        try
        {
            await page.GotoAsync(new Uri(api.BaseAddress, "/admin").ToString());
            Assert.False(await page.IsVisibleAsync("#app"));
            await page.FillAsync("#key-input", fixture.Keys.Admin);
            await page.ClickAsync("#key-save");
            await page.WaitForSelectorAsync("#app", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible });
            Assert.Equal(fixture.Keys.Admin[..12] + "…", await page.TextContentAsync("#key-prefix"));

            await AdminPage.UntilAsync(page, "#count-hcp_profiles", t => t == "2,000");
            await AdminPage.UntilAsync(page, "#simulated-through", t => t == "2026-03-31");
            var before = await CountAsync(page, "#count-stimuli_events");

            await page.FillAsync("#speed-input", "0.3");
            await page.ClickAsync("#start");
            await AdminPage.UntilAsync(page, "#mode", t => t == "running");
            await AdminPage.UntilAsync(page, "#count-stimuli_events", t => Parse(t) > before);
            await AdminPage.UntilAsync(page, "#simulated-through", t => string.CompareOrdinal(t, "2026-04-02") >= 0);
            Assert.Contains("0.3 s per simulated day", await page.TextContentAsync("#speed"));
            Assert.Contains("browser-test-worker", await page.TextContentAsync("#worker"));

            await page.ClickAsync("#pause");
            await AdminPage.UntilAsync(page, "#mode", t => t == "paused");
            var atPause = await WatermarkAsync(connectionString);
            // No day is appended while paused: the worker goes round its loop (heartbeat) five more times, at 0.3 s a
            // simulated day and 0.2 s a round, and the watermark stays.
            await WorkerRoundsAsync(connectionString, 5);
            Assert.Equal(atPause, await WatermarkAsync(connectionString));
            await AdminPage.UntilAsync(page, "#desired-mode", t => t == "paused");

            // The chart has a line, the runs table lists the increments, the validation card has its answer.
            await page.WaitForSelectorAsync("#chart polyline", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
            await AdminPage.UntilAsync(page, "#runs-body", t => t.Contains("increment", StringComparison.Ordinal));
            await AdminPage.UntilAsync(page, "#validation-summary", t => t.Length > 1);

            // The key is kept for the session: a reload does not ask again.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("#app", new PageWaitForSelectorOptions { State = WaitForSelectorState.Visible });
            await AdminPage.UntilAsync(page, "#mode", t => t == "paused");
            output.WriteLine($"simulated days appended while running: through {atPause:yyyy-MM-dd}; stimuli {before:N0} → {await CountAsync(page, "#count-stimuli_events"):N0}");
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            output.WriteLine($"screenshot: {screenshot}");
            Console.WriteLine($"admin page screenshot: {screenshot}");
            await worker.Host.StopAsync();
        }
    }

    private static long Parse(string text) =>
        long.TryParse(text.Replace(",", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    private static async Task<long> CountAsync(IPage page, string selector) => Parse((await page.TextContentAsync(selector))?.Trim() ?? "");

    private static Task<DateOnly> WatermarkAsync(string connectionString) => Sql.ScalarAsync<DateOnly>(connectionString, "SELECT simulated_through FROM hcp.dataset_info");

    /// <summary>Waits until the generator worker has reported <paramref name="rounds"/> more heartbeats.</summary>
    private static async Task WorkerRoundsAsync(string connectionString, int rounds)
    {
        const string heartbeat = "SELECT heartbeat_at FROM platform.simulation_state WHERE id = 1";
        var last = await Sql.ScalarAsync<DateTime>(connectionString, heartbeat);
        for (var i = 0; i < rounds; i++)
        {
            var seen = last;
            await Poll.UntilAsync(async () => (last = await Sql.ScalarAsync<DateTime>(connectionString, heartbeat)) > seen, "the worker's next heartbeat", AdminPage.Patience);
        }
    }
}
