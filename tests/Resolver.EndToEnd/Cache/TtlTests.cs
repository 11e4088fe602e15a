using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Cache;

/// <summary>Cached answers carry the time they have left, not the TTL they arrived with.</summary>
public sealed class TtlTests(ResolverStackFixture fixture) : IClassFixture<ResolverStackFixture>
{
    [Fact]
    public async Task Cached_answer_ttl_counts_down()
    {
        var first = await Dig.QueryAsync(fixture.Port, "multi.test.example", "A");
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var second = await Dig.QueryAsync(fixture.Port, "multi.test.example", "A");

        Assert.Equal(6, first.Answer.Count);
        Assert.Equal(6, second.Answer.Count);
        var before = first.Answer[0].Ttl;
        var after = second.Answer[0].Ttl;
        Assert.InRange(before, 1, 60);
        Assert.True(after < before, $"TTL went from {before} to {after} in 2.2 s:\n{first.Text}\n{second.Text}");
        Assert.True(after > 0, second.Text);
        Assert.All(second.Answer, r => Assert.Equal(after, r.Ttl));
    }
}
