using System.Net;
using Resolver.Admin.Console;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin.Console;

/// <summary>The console's static files over plain HTTP: served without a token, under a strict policy, holding no data.</summary>
public sealed class ConsoleEndpointsTests : IAsyncLifetime
{
    /// <summary>The policy, spelled out: no inline script or style, nothing from another origin, no framing, no form posts.</summary>
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _app.Seed("secret-host.example.com", DnsRecordType.A);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task TheRoot_ServesThePage_WithoutAToken_UnderTheSecurityHeaders()
    {
        using var response = await _app.Http.GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Policy, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("no-store", Header(response, "Cache-Control"));
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>Resolver console</title>", page, StringComparison.Ordinal);
        Assert.Contains("""<script type="module" src="/console/console.js"></script>""", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePage_HoldsNoDataAndNoInlineScriptOrStyle()
    {
        var page = await _app.Http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.DoesNotContain(TestApp.AdminToken, page, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.ReadToken, page, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-host", page, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", page); // every script from a file
        Assert.DoesNotMatch(@"\s(style|on[a-z]+)\s*=", page);          // no inline style or event handler
        Assert.DoesNotContain("<style", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("console.js", "text/javascript")]
    [InlineData("api.js", "text/javascript")]
    [InlineData("console.css", "text/css")]
    public async Task Assets_AreServed_WithTheirTypes_UnderThePolicy(string file, string mediaType)
    {
        using var response = await _app.Http.GetAsync(new Uri("/console/" + file, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Policy, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task TheScripts_NeverPutTheTokenInAUrlOrCookie_NorApiTextIntoHtml()
    {
        var scripts = new ConsoleFiles().Names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)).ToList();
        Assert.Contains("console.js", scripts);
        foreach (var file in scripts)
        {
            var script = await _app.Http.GetStringAsync(new Uri("/console/" + file, UriKind.Relative));
            Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
            Assert.DoesNotContain("outerHTML", script, StringComparison.Ordinal);
            Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
            Assert.DoesNotContain("document.cookie", script, StringComparison.Ordinal);
            Assert.DoesNotContain("localStorage", script, StringComparison.Ordinal);
            Assert.DoesNotContain("eval(", script, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/console/nothing.js")]
    [InlineData("/console/..%2Fappsettings.json")]
    [InlineData("/console/")]
    public async Task UnknownFiles_Are404(string path)
    {
        using var response = await _app.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        string.Join(", ", response.Headers.TryGetValues(name, out var values) ? values : response.Content.Headers.TryGetValues(name, out var content) ? content : []);
}
