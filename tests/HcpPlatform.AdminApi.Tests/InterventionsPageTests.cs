using HcpPlatform.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>
/// The admin page's Interventions section in headless Chromium: define a test from the form, see a refusal named, list it
/// with its status and arms, see its details, stop it.
/// </summary>
[Collection(AdminApiGroup.Name)]
public sealed class InterventionsPageTests(AdminApiFixture fixture, ITestOutputHelper output)
{
    [ChromiumFact]
    public async Task The_page_defines_lists_shows_and_stops_an_intervention()
    {
        var connectionString = await fixture.CloneAsync();
        var api = fixture.StartHost(connectionString);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await AdminPage.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1600 } });
        var screenshot = AdminPage.ArtifactPath("admin-page-interventions.png");
        try
        {
            await page.GotoAsync(new Uri(api.BaseAddress, "/admin").ToString());
            await page.FillAsync("#key-input", fixture.Keys.Admin);
            await page.ClickAsync("#key-save");
            await AdminPage.UntilAsync(page, "#iv-body", t => t.Contains("No interventions yet.", StringComparison.Ordinal));

            // A start on a simulated day is refused, with the rule named; nothing is stored.
            await page.FillAsync("#iv-name", "Too early");
            await page.SelectOptionAsync("#iv-type", "policy");
            await page.FillAsync("#iv-start", "2026-03-31");
            await page.FillAsync("#iv-end", "2026-04-30");
            await page.ClickAsync("#iv-form button[type=submit]");
            await AdminPage.UntilAsync(page, "#message", t => t.Contains("start must be after the last simulated day 2026-03-31", StringComparison.Ordinal));
            Assert.Equal(0L, await Sql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM platform.interventions"));

            // The README's test, from the form.
            await page.FillAsync("#iv-name", "Tier 1 cardiology rep visits");
            await page.SelectOptionAsync("#iv-type", "test");
            await page.SelectOptionAsync("#iv-channel", "rep_visit");
            await page.FillAsync("#iv-specialties", "Cardiology");
            await page.FillAsync("#iv-tiers", "Tier 1");
            await page.FillAsync("#iv-start", "2026-04-06");
            await page.FillAsync("#iv-end", "2026-05-03");
            await page.FillAsync("#iv-share", "0.5");
            await page.ClickAsync("#iv-form button[type=submit]");
            await AdminPage.UntilAsync(page, "#message", t => t.StartsWith("Defined \"Tier 1 cardiology rep visits\"", StringComparison.Ordinal));
            await AdminPage.UntilAsync(page, "#iv-body", t => t.Contains("Tier 1 cardiology rep visits", StringComparison.Ordinal) && t.Contains("50% treated, 50% holdout", StringComparison.Ordinal));
            Assert.Equal("scheduled", (await page.TextContentAsync("#iv-body .iv-status"))?.Trim());
            Assert.Equal("Cardiology|Tier 1|0", await Sql.ScalarAsync<string>(connectionString,
                "SELECT (definition->'target'->'specialties'->>0) || '|' || (definition->'target'->'tiers'->>0) || '|' || jsonb_array_length(definition->'target'->'regions') FROM platform.interventions"));

            await page.ClickAsync("#iv-body .iv-show");
            await AdminPage.UntilAsync(page, "#iv-detail-counts", t => t.StartsWith("Target population", StringComparison.Ordinal));
            await AdminPage.UntilAsync(page, "#iv-detail-truth-note", t => t.StartsWith("No true effects yet", StringComparison.Ordinal));

            await page.ClickAsync("#iv-body .iv-stop");
            await AdminPage.UntilAsync(page, "#iv-body .iv-status", t => t == "stopped");
            Assert.Equal("stopped", await Sql.ScalarAsync<string>(connectionString, "SELECT status FROM platform.interventions"));

            // A policy from the JSON box, from the next day on; once that day is simulated its true effects show.
            await page.FillAsync("#iv-json", """
                {"name": "Tier 1 emails", "type": "policy", "channels": ["email"], "target": {"tiers": ["Tier 1"]},
                 "start": "2026-04-01", "end": "2026-04-14", "minDaysBetweenExposures": 1}
                """);
            await page.ClickAsync("#iv-form button[type=submit]");
            await AdminPage.UntilAsync(page, "#message", t => t.StartsWith("Defined \"Tier 1 emails\"", StringComparison.Ordinal));
            using (var admin = api.Client(fixture.Keys.Admin))
            {
                (await admin.PostAsync("/api/admin/generation/advance", null)).EnsureSuccessStatusCode();
            }
            await page.ReloadAsync();
            await AdminPage.UntilAsync(page, "#iv-body", t => t.Contains("Tier 1 emails", StringComparison.Ordinal) && t.Contains("running", StringComparison.Ordinal));
            await page.ClickAsync("#iv-body tr:has-text('Tier 1 emails') .iv-show");
            await AdminPage.UntilAsync(page, "#iv-detail-truth-note", t => t.StartsWith("True effects over 2026-04-01 → 2026-04-01", StringComparison.Ordinal));
            Assert.True(await page.IsVisibleAsync("#iv-truth"));
            await AdminPage.UntilAsync(page, "#iv-truth-body", t => t.Contains("email_open", StringComparison.Ordinal));
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            output.WriteLine($"screenshot: {screenshot}");
        }
    }
}
