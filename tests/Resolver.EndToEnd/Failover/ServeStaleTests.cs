using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Failover;

/// <summary>
/// Every upstream gone: expired answers are served stale (RFC 8767: TTL 30, EDE 3) and names never
/// cached get SERVFAIL. Cache:MaxTtl is 1 s so the cached answer has expired when the upstreams are down.
/// </summary>
public sealed class ServeStaleTests : IAsyncLifetime
{
    private static readonly TimeSpan s_maxTtl = TimeSpan.FromSeconds(1);

    private ResolverStack? _stack;

    private ResolverStack Stack => _stack ?? throw new InvalidOperationException("The stack has not started.");

    public async Task InitializeAsync() => _stack = await ResolverStack.StartAsync(s_maxTtl);

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_every_upstream_stopped_cached_names_are_stale_and_new_names_fail()
    {
        var fresh = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        Assert.True(fresh.Status == "NOERROR", fresh.Text);
        Assert.InRange(Assert.Single(fresh.Answer).Ttl, 0, 1);

        await Task.WhenAll(Stack.First.StopAsync(), Stack.Second.StopAsync());
        await Task.Delay(s_maxTtl + TimeSpan.FromSeconds(0.5));

        var stale = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        Assert.True(stale.Status == "NOERROR", stale.Text);
        var record = Assert.Single(stale.Answer);
        Assert.Equal("192.0.2.10", record.Data);
        Assert.True(record.Ttl == 30, stale.Text);
        Assert.True(stale.ExtendedErrors.Contains("3 (Stale Answer)"), stale.Text);

        var unknown = await Dig.QueryAsync(Stack.Port, "mail.test.example", "MX");
        Assert.True(unknown.Status == "SERVFAIL", unknown.Text);
        Assert.Empty(unknown.Answer);
    }
}
