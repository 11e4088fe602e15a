using Resolver.Core.Cache;
using Resolver.Protocol.Messages;
using static Resolver.Core.Tests.Cache.CacheEntryFactoryTests;

namespace Resolver.Core.Tests.Cache;

public sealed class NameIndexTests
{
    private readonly NameIndex _index = new();

    private static CacheEntry Entry(string name, DnsResponseCode code = DnsResponseCode.NoError) =>
        CacheEntryFactory.Create(Key(name), Response(code, code == DnsResponseCode.NoError ? [300] : [], 3600, name: name), "u", new CacheOptions(), 0)!;

    private List<string> Collect(string name, bool subtree)
    {
        var into = new List<CacheEntry>();
        _index.Collect(Key(name).Name, subtree, into);
        return [.. into.Select(e => e.Key.ToName().ToString()).Order()];
    }

    [Fact]
    public void SubtreeCuttingNxDomains_AreCountedByDepth_UntilRemoved()
    {
        var options = new CacheOptions { NxDomainCut = NxDomainCut.Always };
        var cut = CacheEntryFactory.Create(Key("gone.example.test"), Response(DnsResponseCode.NXDomain, [], 3600, name: "gone.example.test"), "u", options, 0)!;
        var positive = Entry("www.other.test");

        _index.Add(cut);
        _index.Add(positive);
        var depths = Enumerable.Range(0, 5).Select(_index.MayCutSubtreesAt).ToList();
        _index.Remove(cut);

        Assert.True(cut.Key.IsNameError && cut.CutsSubtree);
        Assert.Equal([false, false, false, true, false], depths); // gone.example.test. has three labels; the A answer is no cut
        Assert.False(_index.MayCutSubtreesAt(3));
    }

    [Fact]
    public void Collect_ExactName_OrTheWholeSubtree_WholeLabelsOnly()
    {
        foreach (var name in new[] { "a.example.test", "b.a.example.test", "c.b.a.example.test", "xa.example.test", "example.test" })
        {
            _index.Add(Entry(name));
        }

        Assert.Equal(["a.example.test."], Collect("a.example.test", subtree: false));
        Assert.Equal(["a.example.test.", "b.a.example.test.", "c.b.a.example.test."], Collect("a.example.test", subtree: true));
        Assert.Empty(Collect("nothing.test", subtree: true));
    }

    [Fact]
    public void Remove_IsByIdentity_AndPrunesNamesLeftEmpty()
    {
        var first = Entry("www.example.test");
        var second = Entry("www.example.test");
        var baseline = _index.NameCount;
        _index.Add(first);
        _index.Add(second); // same key: replaces

        Assert.False(_index.Remove(first));
        Assert.Equal(["www.example.test."], Collect("www.example.test", subtree: false));
        Assert.True(_index.Remove(second));
        Assert.Equal(baseline, _index.NameCount); // www.example.test., example.test. and test. all went
    }

    [Fact]
    public void SeveralTypesOfOneName_AreKeptApart()
    {
        static CacheEntry Mx() => CacheEntryFactory.Create(Key("www.example.test", Protocol.Records.DnsRecordType.MX), Response(DnsResponseCode.NoError, [], 3600, name: "www.example.test"), "u", new CacheOptions(), 0)!;
        var a = Entry("www.example.test");
        var (mx, newerMx) = (Mx(), Mx());
        var nx = Entry("www.example.test", DnsResponseCode.NXDomain);
        _index.Add(a);
        _index.Add(mx);
        _index.Add(nx);
        _index.Add(newerMx); // replaces mx, which is equal to it (an entry is its own key) but no longer indexed

        Assert.Equal(3, Collect("www.example.test", subtree: false).Count);
        Assert.False(_index.Remove(mx));
        Assert.True(_index.Remove(a));
        Assert.True(_index.Remove(nx));
        var left = new List<CacheEntry>();
        _index.Collect(Key("www.example.test").Name, subtree: false, left);
        Assert.Same(newerMx, Assert.Single(left));
    }

    [Fact]
    public void CollectAncestorNameErrors_FindsOnlyNxDomainsAbove()
    {
        _index.Add(Entry("gone.test", DnsResponseCode.NXDomain));
        _index.Add(Entry("b.gone.test"));
        _index.Add(Entry("test"));

        var into = new List<CacheEntry>();
        _index.CollectAncestorNameErrors(Key("a.b.gone.test").Name, into);

        Assert.Equal("gone.test.", Assert.Single(into).Key.ToName().ToString());
    }

    [Fact]
    public void Siblings_LeaveInAnyOrder()
    {
        var entries = Enumerable.Range(0, 20).Select(i => Entry($"n{i}.example.test")).ToList();
        entries.ForEach(_index.Add);

        foreach (var i in new[] { 0, 19, 10, 1, 18 })
        {
            Assert.True(_index.Remove(entries[i]));
        }

        Assert.Equal(15, Collect("example.test", subtree: true).Count);
    }

    [Fact]
    public void NextVictim_IsTheOldest_ReferencedOnesGoRoundAgain_UnlessSpent()
    {
        var a = Entry("a.test");
        var b = Entry("b.test");
        var c = Entry("c.test");
        _index.Add(a);
        _index.Add(b);
        _index.Add(c);
        a.RecordHit();
        b.RecordHit();

        Assert.Same(c, _index.NextVictim(_ => false)); // a and b had a second chance, and lost their marks
        Assert.True(_index.Remove(c));
        Assert.Same(a, _index.NextVictim(_ => false));

        a.RecordHit();
        Assert.Same(a, _index.NextVictim(e => e == a)); // past its stale window: no second chance
    }
}
