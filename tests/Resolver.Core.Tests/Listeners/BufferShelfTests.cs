using Resolver.Core.Listeners;

namespace Resolver.Core.Tests.Listeners;

/// <summary>The listener's buffers for misses: kept between uses, up to a limit.</summary>
public sealed class BufferShelfTests
{
    [Fact]
    public void A_buffer_put_back_is_the_next_one_taken()
    {
        var shelf = new BufferShelf(size: 512, capacity: 4);

        var first = shelf.Take();
        shelf.Put(first);

        Assert.Equal(512, first.Length);
        Assert.Same(first, shelf.Take());
        Assert.NotSame(first, shelf.Take()); // the shelf is empty again: a new one
    }

    [Fact]
    public void Beyond_its_capacity_a_returned_buffer_is_left_to_the_collector()
    {
        var shelf = new BufferShelf(size: 64, capacity: 2);
        var buffers = Enumerable.Range(0, 3).Select(_ => shelf.Take()).ToList();

        buffers.ForEach(shelf.Put);
        var again = Enumerable.Range(0, 3).Select(_ => shelf.Take()).ToList();

        Assert.Equal(2, again.Count(b => buffers.Contains(b)));
    }
}
