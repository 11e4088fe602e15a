using Resolver.Core.Collections;

namespace Resolver.Core.Tests.Collections;

/// <summary>Items kept for reuse, oldest first, up to a cap.</summary>
public sealed class CappedQueueTests
{
    [Fact]
    public void ItemsComeBackOldestFirst_AndBeyondTheCapAreRefused()
    {
        var queue = new CappedQueue<int>(capacity: 2);

        var kept = new[] { queue.TryPut(1), queue.TryPut(2), queue.TryPut(3) };
        var taken = new List<int>();
        while (queue.TryTake(out var item))
        {
            taken.Add(item);
        }

        var roomAgain = queue.TryPut(4);

        Assert.Equal([true, true, false], kept);
        Assert.Equal([1, 2], taken);
        Assert.True(roomAgain);
    }
}
