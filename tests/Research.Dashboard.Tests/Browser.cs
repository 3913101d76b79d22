using Microsoft.Playwright;

namespace Research.Dashboard.Tests;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (its driver from the NuGet package; the browser
/// is the system's, so nothing is downloaded). One browser for the test class; each test opens its
/// own context.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public IPlaywright? Playwright { get; private set; }
    public IBrowser? Chromium { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(BrowserFactAttribute.Chromium)) return;
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Chromium = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            // Root in a container: no sandbox; and nothing that would reach out on its own. Playwright gives
            // each launch a fresh profile of its own (a --user-data-dir here is refused).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPage(int width = 1400, int height = 1000)
    {
        var context = await Chromium!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        Playwright?.Dispose();
    }
}
