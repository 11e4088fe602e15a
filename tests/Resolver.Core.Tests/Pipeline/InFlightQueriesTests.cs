using Resolver.Core.Cache;
using Resolver.Core.Pipeline;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Pipeline;

/// <summary>Identical questions share one fetch while it runs, and only while it runs.</summary>
public class InFlightQueriesTests
{
    private static readonly CacheKey Key = CacheKey.Create(DnsName.Parse("www.test.").Wire, DnsRecordType.A, DnsClass.IN, CacheFlags.None);
    private static readonly UpstreamResult<CacheEntry> Failed = new(UpstreamOutcome.Timeout, null, null, "no answer");

    [Fact]
    public async Task AskersWhileAFetchRuns_ShareIt()
    {
        var flights = new InFlightQueries();
        var upstream = new TaskCompletionSource<UpstreamResult<CacheEntry>>();
        var fetches = 0;

        var first = flights.GetOrStart(Key, _ => { fetches++; return upstream.Task; });
        var second = flights.GetOrStart(Key, _ => { fetches++; return upstream.Task; });
        upstream.SetResult(Failed);

        Assert.Same(first, second);
        Assert.Same(Failed, await second);
        Assert.Equal(1, fetches);
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task AnAskerThatAsksAgainAsSoonAsItIsAnswered_StartsANewFetch()
    {
        var flights = new InFlightQueries();
        var upstream = new TaskCompletionSource<UpstreamResult<CacheEntry>>();
        var fetches = 0;
        Task<UpstreamResult<CacheEntry>> Fetch(CacheKey key)
        {
            fetches++;
            return fetches == 1 ? upstream.Task : Task.FromResult(Failed);
        }

        // The asker goes on where the answer arrives (synchronously, as on the socket's thread) and asks again at once.
        var again = flights.GetOrStart(Key, Fetch).ContinueWith(_ => flights.GetOrStart(Key, Fetch), TaskContinuationOptions.ExecuteSynchronously);
        upstream.SetResult(Failed);
        await await again;

        Assert.Equal(2, fetches);
    }
}
