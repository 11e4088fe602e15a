using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Resolver.Tests.Admin.Console;

/// <summary>
/// The console in a real browser against an in-process resolver: the outage runbook (sign in, see the upstreams,
/// find the cached NXDOMAIN that answers for a name, flush it, see it gone and audited), a Read token that sees but
/// cannot act, a refused token. Every page is checked for script errors and Content-Security-Policy violations.
/// </summary>
public sealed partial class ConsoleBrowserTests : IClassFixture<Chromium>, IAsyncLifetime
{
    private const float Timeout = 15_000;

    private readonly Chromium _chromium;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _errors = [];
    private TestApp _app = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public ConsoleBrowserTests(Chromium chromium, ITestOutputHelper output)
    {
        _chromium = chromium;
        _output = output;
        SetDefaultExpectTimeout(Timeout);
    }

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _app.Seed("www.example.com", DnsRecordType.A);
        _app.Seed("www.example.com", DnsRecordType.AAAA);
        _app.Seed("gone.example.com", DnsRecordType.A, DnsResponseCode.NXDomain);
        var metrics = _app.App.Services.GetRequiredService<ResolverMetrics>();
        metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, (int)DnsResponseCode.NoError);
        metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, (int)DnsResponseCode.NXDomain);

        _context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        _context.SetDefaultTimeout(Timeout);
        _page = await _context.NewPageAsync();
        _page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                _errors.Add($"console {message.Type}: {message.Text}");
            }
        };
        _page.PageError += (_, error) => _errors.Add("page error: " + error);
        await _page.GotoAsync(_app.Url.ToString());
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Admin_SeesTheUpstream_FindsTheNxDomainThatAnswersForAName_FlushesIt_AndSeesItGoneAndAudited()
    {
        await SignInAsync(TestApp.AdminToken);

        var upstream = _page.Locator("#upstreams tbody tr").First;
        await Expect(upstream).ToContainTextAsync("127.0.0.1:9");
        await Expect(upstream.Locator(".state")).ToHaveTextAsync("up");
        await Expect(_page.Locator("#whoami")).ToHaveTextAsync("ops (Admin)");
        await Expect(_page.Locator("#census [data-census='Negative']")).ToHaveTextAsync("1");

        // A name below the cached NXDOMAIN: the entry that answers for it is the parent's.
        await LookUpAsync("video.gone.example.com");
        var entry = _page.Locator("#entries tbody tr[data-rcode='NXDOMAIN']");
        await Expect(entry).ToContainTextAsync("NxDomain");
        await Expect(_page.Locator("#lookup-result .note")).ToContainTextAsync("Covered by the NXDOMAIN of gone.example.com.");
        await ScreenshotAsync("admin-lookup");

        await _page.Locator("#flush-negative").CheckAsync();
        await _page.Locator("#flush-button").ClickAsync();

        await Expect(_page.Locator("#flush-removed")).ToHaveTextAsync("Removed 1 here.");
        await Expect(_page.Locator("#flush-result li")).ToHaveTextAsync("gone.example.com. * NxDomain");
        await Expect(_page.Locator("#lookup-empty")).ToHaveTextAsync("Nothing cached for video.gone.example.com.");
        await Expect(_page.Locator("#entries")).ToHaveCountAsync(0);
        var audit = _page.Locator("#audit tbody tr").First;
        await Expect(audit).ToContainTextAsync("flush");
        await Expect(audit).ToContainTextAsync("video.gone.example.com., negative only");
        await Expect(audit).ToContainTextAsync("ops (127.0.0.1)");
        await Expect(_page.Locator("#census [data-census='Negative']")).ToHaveTextAsync("0");
        await ScreenshotAsync("admin-flushed");

        await upstream.GetByRole(AriaRole.Button, new() { Name = "Drain" }).ClickAsync();
        await Expect(upstream.Locator(".state")).ToHaveTextAsync("drained");
        await Expect(_page.Locator("#audit tbody tr").First).ToContainTextAsync("drain");
        Assert.True(_app.App.Services.GetRequiredService<UpstreamRegistry>().All.Single().Drained);

        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Admin_TheTokenStaysInSessionStorage_NeverInTheUrlOrACookie_AndSignOutClearsIt()
    {
        await SignInAsync(TestApp.AdminToken);
        await Expect(_page.Locator("#upstreams tbody tr").First).ToContainTextAsync("127.0.0.1:9");

        Assert.Equal(TestApp.AdminToken, await SessionTokenAsync());
        Assert.DoesNotContain(TestApp.AdminToken, _page.Url, StringComparison.Ordinal);
        Assert.Empty(await _context.CookiesAsync());

        await _page.Locator("#signout").ClickAsync();

        await Expect(_page.Locator("#signin")).ToBeVisibleAsync();
        Assert.Null(await SessionTokenAsync());
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task Admin_WatchesAName_ThenStopsWatchingIt()
    {
        await SignInAsync(TestApp.AdminToken);

        await _page.Locator("#watch-name").FillAsync("api.example.com");
        await _page.Locator("#watch-subtree").CheckAsync();
        await _page.Locator("#watch-form button").ClickAsync();

        var rule = _page.Locator("#watched tbody tr", new() { HasText = "api.example.com." });
        await Expect(rule.Locator("td").Nth(1)).ToHaveTextAsync("yes");
        await Expect(rule.Locator("td").Nth(2)).ToHaveTextAsync("00:15:00");
        await Expect(_page.Locator("#audit tbody tr").First).ToContainTextAsync("watch");
        await rule.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(_page.Locator("#watched tbody")).ToHaveTextAsync("No names are watched.");
        await Expect(_page.Locator("#audit tbody tr").First).ToContainTextAsync("unwatch");
        Assert.Empty(_errors);
    }

    [Fact]
    public async Task ATokenRefusedMidSession_SendsBackToSignIn_WithTheReason()
    {
        await SignInAsync(TestApp.AdminToken);
        await Expect(_page.Locator("#app")).ToBeVisibleAsync();

        // As if the token were revoked: the next refresh (every 5 s) is answered 401.
        await _page.EvaluateAsync("() => sessionStorage.setItem('resolver.console.token', 'revoked-token-0123456789-abcdefgh')");

        await Expect(_page.Locator("#signin-error")).ToContainTextAsync("Signed out: the resolver refused the token");
        await Expect(_page.Locator("#app")).ToBeHiddenAsync();
        Assert.Null(await SessionTokenAsync());
        Assert.All(_errors, e => Assert.Matches(StatusError(), e));
    }

    [Fact]
    public async Task Read_SeesEverything_ButEveryButtonIsDisabled_AndTheApiRefusesAnyway()
    {
        await SignInAsync(TestApp.ReadToken);

        await Expect(_page.Locator("#whoami")).ToHaveTextAsync("grafana (Read: view only)");
        var upstream = _page.Locator("#upstreams tbody tr").First;
        await Expect(upstream).ToContainTextAsync("127.0.0.1:9");
        await Expect(upstream.GetByRole(AriaRole.Button, new() { Name = "Drain" })).ToBeDisabledAsync();
        await Expect(_page.Locator("#watch-form button")).ToBeDisabledAsync();

        await LookUpAsync("gone.example.com");
        await Expect(_page.Locator("#entries tbody tr[data-rcode='NXDOMAIN']")).ToContainTextAsync("NxDomain");
        await Expect(_page.Locator("#flush-button")).ToBeDisabledAsync();
        await ScreenshotAsync("read-only");

        // Names are attacker-chosen text: shown as text, never parsed as markup.
        await LookUpAsync("<b>x</b>.gone.example.com");
        await Expect(_page.Locator("#flush-name")).ToContainTextAsync("<b>x</b>");
        await Expect(_page.Locator("#app b")).ToHaveCountAsync(0);

        // The buttons are a courtesy; the API decides. The page's own token, sent by hand, is refused a flush.
        var status = await _page.EvaluateAsync<int>("""
            async () => (await fetch('/api/v1/cache/flush', {
              method: 'POST',
              headers: { Authorization: 'Bearer ' + sessionStorage.getItem('resolver.console.token'), 'Content-Type': 'application/json' },
              body: JSON.stringify({ name: 'gone.example.com' }),
            })).status
            """);
        Assert.Equal(403, status);
        Assert.Equal(1, _app.Cache.Census().Negative);
        Assert.All(_errors, e => Assert.Matches(StatusError(), e)); // only the refused flush's own 403 line
    }

    [Fact]
    public async Task AWrongToken_IsRefused_WithAMessage_AndNotKept()
    {
        await SignInAsync("wrong-token-0123456789-abcdefghijk");

        await Expect(_page.Locator("#signin-error")).ToContainTextAsync("That token was refused");
        await Expect(_page.Locator("#app")).ToBeHiddenAsync();
        Assert.Null(await SessionTokenAsync());
        await ScreenshotAsync("refused");
        Assert.All(_errors, e => Assert.Matches(StatusError(), e)); // the 401 the browser reports, nothing else
    }

    private async Task SignInAsync(string token)
    {
        await _page.Locator("#token").FillAsync(token);
        await _page.Locator("#signin-button").ClickAsync();
    }

    private async Task LookUpAsync(string name)
    {
        await _page.Locator("#lookup-name").FillAsync(name);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
    }

    private Task<string?> SessionTokenAsync() => _page.EvaluateAsync<string?>("() => sessionStorage.getItem('resolver.console.token')");

    private async Task ScreenshotAsync(string name)
    {
        var path = Path.Combine(Chromium.Artifacts, name + ".png");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine("screenshot: " + path);
    }

    /// <summary>Chromium's own line for a refused call; a policy violation or a script error reads otherwise.</summary>
    [GeneratedRegex(@"^console error: Failed to load resource: the server responded with a status of 40[13] ")]
    private static partial Regex StatusError();
}
