using System.Net;
using System.Text.Json;
using Resolver.Cli;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Cli;

/// <summary>drain and undrain against an in-process resolver: GET /api/v1/upstreams shows the change.</summary>
public sealed class DrainVerbTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DrainThenUndrain_ChangesTheUpstreamsState()
    {
        var name = (await UpstreamsAsync()).Single().Name;

        var (code, output, error) = await RunAsync(TestApp.AdminToken, "drain", name);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains($"{name} (", output, StringComparison.Ordinal);
        Assert.EndsWith(": drained", output.Trim(), StringComparison.Ordinal);
        Assert.Equal("drained", (await UpstreamsAsync()).Single().State);

        (code, output, _) = await RunAsync(TestApp.AdminToken, "undrain", name);
        Assert.Equal(0, code);
        Assert.EndsWith(": up", output.Trim(), StringComparison.Ordinal);
        Assert.Equal("up", (await UpstreamsAsync()).Single().State);
    }

    [Fact]
    public async Task Drain_Json_PrintsTheServersView()
    {
        var name = (await UpstreamsAsync()).Single().Name;

        var (code, output, _) = await RunAsync(TestApp.AdminToken, "drain", name, "--json");

        Assert.Equal(0, code);
        using var view = JsonDocument.Parse(output);
        Assert.Equal("drained", view.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Drain_UnknownName_Exit1_WithTheServersReason()
    {
        var (code, _, error) = await RunAsync(TestApp.AdminToken, "drain", "no-such-upstream");

        Assert.Equal(1, code);
        Assert.Contains("No upstream is named 'no-such-upstream'", error, StringComparison.Ordinal);
        Assert.Equal("up", (await UpstreamsAsync()).Single().State);
    }

    [Fact]
    public async Task Drain_ReadToken_IsForbidden_AndChangesNothing()
    {
        var name = (await UpstreamsAsync()).Single().Name;

        var (code, _, error) = await RunAsync(TestApp.ReadToken, "drain", name);

        Assert.Equal(1, code);
        Assert.Contains("403", error, StringComparison.Ordinal);
        Assert.Equal("up", (await UpstreamsAsync()).Single().State);
    }

    [Fact]
    public async Task Drain_WithoutAName_IsAUsageError()
    {
        var (code, _, error) = await RunAsync(TestApp.AdminToken, "drain");

        Assert.Equal(2, code);
        Assert.Contains("drain --help", error, StringComparison.Ordinal);
    }

    private async Task<List<(string Name, string State)>> UpstreamsAsync()
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Get, "api/v1/upstreams");
        Assert.Equal(HttpStatusCode.OK, status);
        using var document = JsonDocument.Parse(body);
        return [.. document.RootElement.EnumerateArray().Select(u => (u.GetProperty("name").GetString()!, u.GetProperty("state").GetString()!))];
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(string token, params string[] args)
    {
        var tokenFile = Path.Combine(Path.GetTempPath(), $"resolver-drain-token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, token);
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await CommandLine.RunAsync(
                [.. args, "--url", _app.Url.ToString(), "--token-file", tokenFile], output, error, (_, _, _, _) => throw new InvalidOperationException("drain must not serve."), CancellationToken.None);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
