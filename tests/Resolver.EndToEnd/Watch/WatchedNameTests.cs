using System.Text.Json.Nodes;
using Resolver.EndToEnd.Metrics;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Watch;

/// <summary>
/// Two NSDs; www.test.example is watched. NSD #1 loses the name: the second opinion (NSD #2) keeps the A record, and
/// the disagreement shows on /metrics. Then NSD #2 loses it too: the name is held, and dig keeps getting the last
/// good answer, stale (EDE 3). Cache:MaxTtl is 1 s, so each step's answer has expired by the next.
/// </summary>
public sealed class WatchedNameTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan s_maxTtl = TimeSpan.FromSeconds(1);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private ResolverStack? _stack;

    private ResolverStack Stack => _stack ?? throw new InvalidOperationException("The stack has not started.");

    public async Task InitializeAsync() => _stack = await ResolverStack.StartAsync(s_maxTtl, root =>
        root["Watch"] = new JsonObject { ["Names"] = new JsonArray(new JsonObject { ["Name"] = "www.test.example", ["Hold"] = "00:10:00" }) });

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_name_one_upstream_loses_keeps_its_answer_and_when_both_lose_it_it_is_held()
    {
        var before = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        Assert.True(before.Status == "NOERROR", before.Text);

        await Stack.First.RemoveNameAsync("www", "www.test.example");
        await Task.Delay(s_maxTtl + TimeSpan.FromSeconds(0.5));
        var secondOpinion = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        var disagreed = await MetricsScrape.GetAsync(_http, Stack.Resolver.AdminPort);

        Assert.True(secondOpinion.Status == "NOERROR", secondOpinion.Text);
        Assert.Equal("192.0.2.10", Assert.Single(secondOpinion.Answer).Data);
        Assert.Empty(secondOpinion.ExtendedErrors); // a fresh answer, from NSD #2
        Assert.True(disagreed.Sum("resolver_upstream_disagreements_total", ("upstream", $"127.0.0.1:{Stack.First.Port}/udp")) == 1, disagreed.Text);

        await Stack.Second.RemoveNameAsync("www", "www.test.example");
        await Task.Delay(s_maxTtl + TimeSpan.FromSeconds(0.5));
        var held = await Dig.QueryAsync(Stack.Port, "www.test.example", "A");
        var holding = await MetricsScrape.GetAsync(_http, Stack.Resolver.AdminPort);

        Assert.True(held.Status == "NOERROR", held.Text);
        var record = Assert.Single(held.Answer);
        Assert.Equal(("192.0.2.10", 30), (record.Data, record.Ttl));
        Assert.True(held.ExtendedErrors.Contains("3 (Stale Answer)"), held.Text);
        Assert.True(holding.Sum("resolver_watch_held") == 1, holding.Text);
        Assert.True(holding.Sum("resolver_watch_holds_total") == 1, holding.Text);

        var neverCached = await Dig.QueryAsync(Stack.Port, "www.test.example", "AAAA"); // asked for the first time: nothing to hold on to
        var stillHeld = await Dig.QueryAsync(Stack.Port, "www.test.example", "A"); // that NXDOMAIN was served, not cached over the held A
        Assert.True(neverCached.Status == "NXDOMAIN", neverCached.Text);
        Assert.True(stillHeld.Status == "NOERROR" && stillHeld.ExtendedErrors.Contains("3 (Stale Answer)"), stillHeld.Text);
    }
}
