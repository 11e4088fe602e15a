using Microsoft.Playwright;

namespace Resolver.Tests.Admin.Console;

/// <summary>
/// One headless Debian chromium (/usr/bin/chromium, installed by test.sh) for the console's browser tests, driven by
/// Playwright. No browser is downloaded and the browser is kept off every network but loopback.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: TestResults/console beside the test assembly (not committed).</summary>
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "console");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run ./test.sh, which installs it, or apt-get install chromium.");
        }

        Directory.CreateDirectory(Artifacts);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 60_000, // a loaded 2-core machine
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
