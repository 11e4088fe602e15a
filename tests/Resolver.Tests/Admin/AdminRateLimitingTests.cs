using System.Net;
using Resolver.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>Failed authentication is limited per client address; valid tokens and the anonymous endpoints never are.</summary>
public sealed class AdminRateLimitingTests : IAsyncLifetime
{
    private const string UnknownToken = "unknown-token-0123456789-abcdefghij";

    private TestApp _app = null!;

    // A window of an hour: the limiter's own clock cannot roll it over during a test.
    public async Task InitializeAsync() => _app = await TestApp.StartAsync(admin: $$"""
        "Tokens": [ { "Name": "ops", "Token": "{{TestApp.AdminToken}}", "Role": "Admin" }, { "Name": "grafana", "Token": "{{TestApp.ReadToken}}", "Role": "Read" } ],
        "FailedAuthLimit": 3,
        "FailedAuthWindow": "01:00:00"
        """);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task FailuresPastTheLimit_Get429WithRetryAfter_AndAreNoLongerLogged()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/stats", i == 0 ? null : UnknownToken)).Status);
        }

        using var request = _app.Request(HttpMethod.Post, "/api/v1/cache/flush", UnknownToken, """{"all": true}""");
        using var limited = await _app.Http.SendAsync(request);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), limited.Headers.RetryAfter?.Delta);
        Assert.Contains("without a valid token from 127.0.0.1", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, _app.Logs.Lines.Count(l => l.Contains("authentication failed from 127.0.0.1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task OnceLimited_ValidTokensAndTheAnonymousEndpointsAreStillServed()
    {
        for (var i = 0; i < 4; i++)
        {
            await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/stats", UnknownToken);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await _app.SendAsync(HttpMethod.Get, "/api/v1/upstreams", UnknownToken)).Status);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/stats", TestApp.ReadToken)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", TestApp.ReadToken, """{"all": true}""")).Status);
            Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Post, "/api/v1/cache/flush", TestApp.AdminToken, """{"all": true}""")).Status);
            foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
            {
                Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Get, path, token: null)).Status);
            }
        }
    }

    [Fact]
    public async Task RequestsToAnonymousEndpoints_DoNotCount()
    {
        foreach (var path in new[] { "/healthz", "/readyz", "/metrics", "/healthz", "/metrics" })
        {
            await _app.SendAsync(HttpMethod.Get, path, UnknownToken);
        }

        var (status, _) = await _app.SendAsync(HttpMethod.Get, "/api/v1/cache/stats", UnknownToken);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
