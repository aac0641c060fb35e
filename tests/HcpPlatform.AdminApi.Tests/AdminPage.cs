using HcpPlatform.Testing;
using Microsoft.Playwright;

namespace HcpPlatform.AdminApi.Tests;

/// <summary>What the admin page's browser tests share: the headless Chromium, where screenshots go, and waiting on the page.</summary>
internal static class AdminPage
{
    /// <summary>How long a page element is given to show what a test waits for.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    /// <summary>Debian's Chromium, headless, with the flags it needs in a container.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        });

    /// <summary>Under $HCP_TEST_ARTIFACTS, else the test output directory's artifacts/ folder.</summary>
    public static string ArtifactPath(string name)
    {
        var directory = Environment.GetEnvironmentVariable("HCP_TEST_ARTIFACTS") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    /// <summary>Waits until the text of <paramref name="selector"/> meets <paramref name="condition"/>; fails naming the last text and the page's message.</summary>
    public static async Task UntilAsync(IPage page, string selector, Func<string, bool> condition)
    {
        string? last = null;
        try
        {
            await Poll.UntilAsync(async () => condition(last = (await page.TextContentAsync(selector))?.Trim() ?? ""), $"{selector} to meet its condition", Patience);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{selector} never met the condition within {Patience.TotalSeconds:0} s; last text '{last}'; page message '{await page.TextContentAsync("#message")}'.");
        }
    }
}
