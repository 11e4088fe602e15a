using Resolver.Admin;
using Resolver.Core.Tests.Testing;

namespace Resolver.Tests.Admin;

/// <summary>The in-memory ring of admin actions: bounded, newest first, stamped by the injected clock.</summary>
public sealed class AuditTrailTests
{
    private static readonly AdminCaller s_ops = new("ops", "127.0.0.1");

    [Fact]
    public void Empty_HasNoEntries() => Assert.Empty(new AuditTrail().NewestFirst());

    [Fact]
    public void Entries_ComeNewestFirst_StampedByTheClock()
    {
        var time = new ManualTimeProvider();
        var trail = new AuditTrail(time);
        var first = time.GetUtcNow();

        trail.Record(s_ops, "flush", "a.example.", "removed 1");
        time.Advance(TimeSpan.FromSeconds(5));
        trail.Record(s_ops, "drain", "9.9.9.9:53/udp", "state drained");

        var entries = trail.NewestFirst();
        Assert.Equal(["drain", "flush"], entries.Select(e => e.Action));
        Assert.Equal(first.AddSeconds(5), entries[0].Time);
        Assert.Equal(first, entries[1].Time);
        Assert.Equal(new AuditEntryView(first, "ops", "127.0.0.1", "flush", "a.example.", "removed 1"), entries[1]);
    }

    [Fact]
    public void OneMoreThanTheCapacity_DropsTheOldest()
    {
        var trail = new AuditTrail(new ManualTimeProvider());

        for (var i = 0; i <= AuditTrail.Capacity; i++)
        {
            trail.Record(s_ops, "flush", $"n{i}.example.", "removed 0");
        }

        var entries = trail.NewestFirst();
        Assert.Equal(AuditTrail.Capacity, entries.Count);
        Assert.Equal($"n{AuditTrail.Capacity}.example.", entries[0].Target);
        Assert.Equal("n1.example.", entries[^1].Target); // n0 went
        Assert.Equal(Enumerable.Range(1, AuditTrail.Capacity).Reverse().Select(i => $"n{i}.example."), entries.Select(e => e.Target));
    }

    [Fact]
    public async Task ConcurrentRecords_AreAllCounted_UpToTheCapacity()
    {
        var trail = new AuditTrail();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 50; i++)
            {
                trail.Record(s_ops, "flush", $"t{t}-{i}.example.", "removed 0");
            }
        })));

        var entries = trail.NewestFirst();
        Assert.Equal(AuditTrail.Capacity, entries.Count);
        Assert.Equal(AuditTrail.Capacity, entries.Select(e => e.Target).Distinct().Count());
    }
}
