using System.Net;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Testing;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Fuzzing;

/// <summary>
/// Deterministic mutation fuzzing of whole queries through the real query processor: scan, screening,
/// local answers, cache hits (patched wire answers, NXDOMAIN below a cached name) and, for a share of
/// them, upstream fetches. Every mutant gets an answer that parses, or silence; nothing throws.
/// </summary>
public class QueryPathFuzzTests
{
    private const int CacheOnlyMutants = 30_000;
    private const int UpstreamMutants = 300;

    [Fact]
    public async Task MutatedQueries_AreAnsweredOrDropped_NeverThrow()
    {
        await using var harness = await ResolverHarness.StartAsync(count: 1, upstreams: o => o.Timeout = TimeSpan.FromSeconds(2));
        string[] names = ["www.test.", "WWW.Test.", "missing.test.", "a.missing.test.", "big.test.", "localhost.", "x.localhost."];
        DnsRecordType[] types = [DnsRecordType.A, DnsRecordType.AAAA, DnsRecordType.TXT, DnsRecordType.MX];
        var seeds = names.SelectMany(n => types.Select(t => ResolverHarness.Query(n, t))).Concat(names.Select(n => ResolverHarness.Query(n, DnsRecordType.A, udpSize: null))).ToArray();
        foreach (var seed in seeds)
        {
            await harness.AskAsync(seed); // warm the cache: positive, NXDOMAIN, NODATA, truncated
        }

        var random = new Random(20261121);
        var output = new byte[65535];
        var answered = 0;
        for (var i = 0; i < CacheOnlyMutants + UpstreamMutants; i++)
        {
            var mutant = QueryMutator.Mutate(seeds[random.Next(seeds.Length)], random);
            var transport = random.Next(2) == 0 ? DnsTransport.Udp : DnsTransport.Tcp;
            var length = await harness.Processor.ProcessAsync(mutant, output, IPAddress.Loopback, transport, allowUpstream: i >= CacheOnlyMutants);
            if (length > 0)
            {
                answered++;
                Assert.True(DnsMessage.TryParse(output.AsSpan(0, length), out var response, out var error) || length == DnsHeader.Size, $"unparsable answer ({error})");
                Assert.True(response is null || response.IsResponse);
            }
        }

        Assert.True(answered > CacheOnlyMutants / 10, $"only {answered} answered: the mutations are not reaching the pipeline");
    }
}
