using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Failover;

/// <summary>NSD #1 goes away: the resolver keeps answering, new names included, from NSD #2. Own stack per test.</summary>
public sealed class FailoverTests : IAsyncLifetime
{
    private ResolverStack? _stack;

    private ResolverStack Stack => _stack ?? throw new InvalidOperationException("The stack has not started.");

    public async Task InitializeAsync() => _stack = await ResolverStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_the_first_upstream_stopped_names_are_answered_by_the_second()
    {
        var before = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        Assert.True(before.Status == "NOERROR", before.Text);

        await Stack.First.StopAsync();

        var cached = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        Assert.True(cached.Status == "NOERROR", cached.Text);
        Assert.Equal("192.0.2.10", Assert.Single(cached.Answer).Data);

        // Never asked before: only NSD #2 can have answered these.
        var multi = await Dig.QueryAsync(Stack.Port, "multi.test.example", "A");
        Assert.True(multi.Status == "NOERROR", multi.Text);
        Assert.Equal(
            ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"],
            multi.Answer.Select(r => r.Data).Order(StringComparer.Ordinal));

        var aaaa = await Dig.QueryAsync(Stack.Port, "www.test.example", "AAAA");
        Assert.True(aaaa.Status == "NOERROR", aaaa.Text);
        Assert.Equal("2001:db8::10", Assert.Single(aaaa.Answer).Data);
    }
}
