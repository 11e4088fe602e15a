using System.Net;
using Resolver.Protocol.Records;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>The Bearer scheme and the Read/Admin policies: 401 and 403 say what to do, failures are logged, and a request without a valid token is refused before its body is read.</summary>
public sealed class BearerAuthenticationTests : IAsyncLifetime
{
    private const string UnknownToken = "unknown-token-0123456789-abcdefghij";

    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await TestApp.StartAsync();
        _app.Seed("www.example.com", DnsRecordType.A);
    }

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task NoToken_Is401_WithWwwAuthenticateAndWhatToSend_AndIsLogged()
    {
        using var request = _app.Request(HttpMethod.Get, "/api/v1/cache/stats", token: null);
        using var response = await _app.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Send Authorization: Bearer <token>", body, StringComparison.Ordinal);
        Assert.Contains(_app.Logs.Lines, l => l.Contains("authentication failed from 127.0.0.1: no token (GET /api/v1/cache/stats)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownToken_IsLoggedWithTheAddressAndTheReason_NeverTheToken()
    {
        var (status, _) = await _app.SendAsync(HttpMethod.Get, "/api/v1/watch", UnknownToken);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(_app.Logs.Lines, l => l.Contains("authentication failed from 127.0.0.1: unknown token (GET /api/v1/watch)", StringComparison.Ordinal));
        Assert.DoesNotContain(_app.Logs.Lines, l => l.Contains(UnknownToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadTokenOnAnAdminCall_Is403_NamingTheTokensRoleAndTheNeededOne()
    {
        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/upstreams/drain", TestApp.ReadToken, """{"name": "127.0.0.1:9/udp", "drain": true}""");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("Token 'grafana' has the Read role; this call needs Admin.", body, StringComparison.Ordinal);
        Assert.DoesNotContain(_app.Logs.Lines, l => l.Contains("drained=True", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    public async Task AnonymousEndpoints_WithAnUnknownToken_AreServed_AndLogNoFailure(string path)
    {
        var (status, _) = await _app.SendAsync(HttpMethod.Get, path, UnknownToken);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(_app.Logs.Lines, l => l.Contains("authentication failed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(UnknownToken)]
    public async Task WithoutAValidToken_TheBodyIsNotRead_SoAnOversizedBodyIs401Not413(string? token)
    {
        var oversized = """{"all": true, "padding": "x"}""".Replace("x", new string('x', 100 * 1024), StringComparison.Ordinal);

        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", token, oversized);

        Assert.True(status == HttpStatusCode.Unauthorized, $"{status}: {body}");
        Assert.Equal(1, _app.Cache.Count);
    }

    [Fact]
    public async Task WithoutAValidToken_ABadBodyIs401Not400()
    {
        // Parameter binding reads the body; a check that ran after it (an endpoint filter) would answer 400 here.
        var (status, body) = await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", UnknownToken, "not json");

        Assert.True(status == HttpStatusCode.Unauthorized, $"{status}: {body}");
    }
}
