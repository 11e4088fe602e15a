using System.Text.Json.Nodes;
using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Cache;

/// <summary>
/// The cache survives a restart (Cache:SnapshotPath): a resolver stopped with SIGTERM saves it, and the
/// next one, started with every upstream gone, answers from it: fresh while the TTL lasts, stale (EDE 3)
/// after. Without the snapshot the second process would have nothing to answer from and say SERVFAIL.
/// </summary>
public sealed class SnapshotTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("resolver-e2e-snapshot-");

    private string SnapshotPath => Path.Combine(_directory.FullName, "cache.snapshot");

    /// <summary>Both processes of a test use this snapshot file (each would otherwise have its own, in its own directory).</summary>
    private Action<JsonObject> SharedSnapshot => root => root["Cache"]!["SnapshotPath"] = SnapshotPath;

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task After_a_graceful_restart_without_upstreams_expired_names_are_stale_and_live_ones_fresh()
    {
        // Cache:MaxTtl 1 s: the positive answer has expired by the time the second process answers; the
        // NXDOMAIN (negative TTL 300 s, from the SOA) has not. NxDomainCut Always: NSD does not validate, and
        // the NXDOMAIN's cut of its subtree (RFC 8020) must survive the restart too.
        var maxTtl = TimeSpan.FromSeconds(1);
        Action<JsonObject> configure = root =>
        {
            SharedSnapshot(root);
            root["Cache"]!["NxDomainCut"] = "Always";
        };
        await using var stack = await ResolverStack.StartAsync(maxTtl, configure);
        Assert.Equal("NOERROR", (await Dig.QueryAsync(stack.Port, "www.test.example", "A")).Status);
        Assert.Equal("NXDOMAIN", (await Dig.QueryAsync(stack.Port, "gone.test.example", "A")).Status);

        var upstreams = new[] { stack.First.Port, stack.Second.Port };
        Assert.True(await stack.Resolver.TerminateAsync() == 0, stack.Resolver.Log.ToString());
        await Task.WhenAll(stack.First.StopAsync(), stack.Second.StopAsync());
        Assert.True(File.Exists(SnapshotPath), stack.Resolver.Log.ToString());
        await Task.Delay(maxTtl + TimeSpan.FromSeconds(0.5));
        await using var restarted = await ResolverProcess.StartAsync(upstreams, maxTtl, configure);

        var stale = await Dig.QueryAsync(restarted.DnsPort, "www.test.example", "A");
        Assert.True(stale.Status == "NOERROR", $"{stale.Text}\n{restarted.Log}");
        var record = Assert.Single(stale.Answer);
        Assert.Equal("192.0.2.10", record.Data);
        Assert.True(record.Ttl == 30, stale.Text);
        Assert.True(stale.ExtendedErrors.Contains("3 (Stale Answer)"), stale.Text);

        var negative = await Dig.QueryAsync(restarted.DnsPort, "gone.test.example", "A");
        Assert.True(negative.Status == "NXDOMAIN", $"{negative.Text}\n{restarted.Log}");
        Assert.Empty(negative.ExtendedErrors); // fresh, not stale
        Assert.InRange(Assert.Single(negative.Authority).Ttl, 1, 300);
        var below = await Dig.QueryAsync(restarted.DnsPort, "a.b.gone.test.example", "AAAA");
        Assert.True(below.Status == "NXDOMAIN", below.Text); // the restored NXDOMAIN covers its subtree (RFC 8020)

        // The upstreams really are gone: a name never cached fails.
        var unknown = await Dig.QueryAsync(restarted.DnsPort, "mail.test.example", "MX");
        Assert.True(unknown.Status == "SERVFAIL", unknown.Text);
        Assert.Contains("Restored 2 cache entries", restarted.Log.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_graceful_restart_without_upstreams_a_live_answer_is_fresh_with_the_ttl_it_has_left()
    {
        await using var stack = await ResolverStack.StartAsync(configure: SharedSnapshot);
        var before = Assert.Single((await Dig.QueryAsync(stack.Port, "www.test.example", "A")).Answer);

        var upstreams = new[] { stack.First.Port, stack.Second.Port };
        Assert.True(await stack.Resolver.TerminateAsync() == 0, stack.Resolver.Log.ToString());
        await Task.WhenAll(stack.First.StopAsync(), stack.Second.StopAsync());
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await using var restarted = await ResolverProcess.StartAsync(upstreams, configure: SharedSnapshot);

        var after = await Dig.QueryAsync(restarted.DnsPort, "www.test.example", "A");
        Assert.True(after.Status == "NOERROR", $"{after.Text}\n{restarted.Log}");
        Assert.Empty(after.ExtendedErrors);
        var record = Assert.Single(after.Answer);
        Assert.Equal("192.0.2.10", record.Data);
        Assert.InRange(record.Ttl, 1, before.Ttl - 1); // counted down across the restart, not reset
    }

    [Fact]
    public async Task A_truncated_snapshot_is_reported_and_the_resolver_starts_and_answers()
    {
        await using var stack = await ResolverStack.StartAsync(configure: SharedSnapshot);
        foreach (var name in new[] { "www.test.example", "multi.test.example", "alias.test.example", "mx1.test.example" })
        {
            Assert.Equal("NOERROR", (await Dig.QueryAsync(stack.Port, name, "A")).Status);
        }

        var upstreams = new[] { stack.First.Port, stack.Second.Port };
        Assert.True(await stack.Resolver.TerminateAsync() == 0, stack.Resolver.Log.ToString());
        var bytes = await File.ReadAllBytesAsync(SnapshotPath);
        await File.WriteAllBytesAsync(SnapshotPath, bytes[..(bytes.Length / 2)]);

        await using var restarted = await ResolverProcess.StartAsync(upstreams, configure: SharedSnapshot);

        Assert.Contains($"Cache snapshot {SnapshotPath} is truncated at byte", restarted.Log.StandardOutput, StringComparison.Ordinal);
        var answer = await Dig.QueryAsync(restarted.DnsPort, "www.test.example", "A");
        Assert.True(answer.Status == "NOERROR", $"{answer.Text}\n{restarted.Log}");
        Assert.Equal("192.0.2.10", Assert.Single(answer.Answer).Data);
    }
}
