using Resolver.Core.Telemetry;

namespace Resolver.Core.Tests.Telemetry;

public class StripedCountersTests
{
    [Fact]
    public async Task AddsFromManyThreads_SumWhenRead_NoneLost()
    {
        var counters = new StripedCounters(3, stripes: 4);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                counters.Increment(1);
                counters.Add(2, 2);
            }
        })));

        Assert.Equal(0, counters.Read(0));
        Assert.Equal(800_000, counters.Read(1));
        Assert.Equal(1_600_000, counters.Read(2));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void ACounterOutsideTheSet_IsRejected(int counter)
    {
        var counters = new StripedCounters(3);

        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Increment(counter));
        Assert.Throws<ArgumentOutOfRangeException>(() => counters.Read(counter));
    }
}
