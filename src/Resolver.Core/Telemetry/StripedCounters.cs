namespace Resolver.Core.Telemetry;

/// <summary>
/// A fixed set of counters, each kept once per CPU and summed only when read (at scrape time), as Unbound keeps
/// its statistics per thread: a receive thread adds to its own CPU's block, so answering a query writes no
/// memory that the other receive threads write. Blocks are padded apart so no two CPUs share a cache line.
/// The add is still atomic (a thread may be moved to another CPU between reading its number and adding), but
/// uncontended, on a line the CPU already holds.
/// </summary>
internal sealed class StripedCounters
{
    private const int CacheLine = 64 / sizeof(long);
    private readonly long[] _values;
    private readonly int _stride;
    private readonly int _stripes;

    public StripedCounters(int count, int? stripes = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        _stripes = Math.Max(1, stripes ?? Environment.ProcessorCount);
        _stride = (count + CacheLine - 1) / CacheLine * CacheLine;
        _values = new long[(_stripes * _stride) + CacheLine]; // a line to spare: the last block shares none with the next object
    }

    public int Count { get; }

    public void Increment(int counter) => Add(counter, 1);

    public void Add(int counter, long value)
    {
        if ((uint)counter >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(counter));
        }

        var stripe = Thread.GetCurrentProcessorId() % _stripes;
        Interlocked.Add(ref _values[(stripe * _stride) + counter], value);
    }

    /// <summary>The sum over every CPU's block.</summary>
    public long Read(int counter)
    {
        if ((uint)counter >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(counter));
        }

        long total = 0;
        for (var stripe = 0; stripe < _stripes; stripe++)
        {
            total += Volatile.Read(ref _values[(stripe * _stride) + counter]);
        }

        return total;
    }
}
