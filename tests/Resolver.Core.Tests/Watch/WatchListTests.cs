using Resolver.Core.Tests.Testing;
using Resolver.Core.Watch;
using Resolver.Protocol.Names;

namespace Resolver.Core.Tests.Watch;

/// <summary>The watched names: configured, changed at run time, and which rule covers a name.</summary>
public sealed class WatchListTests
{
    [Fact]
    public void TheClosestRuleCoversAName_AnExactRuleOnlyItsOwnName()
    {
        var list = new WatchList(new TestOptions<WatchOptions>(new WatchOptions
        {
            Names =
            [
                new WatchRuleOptions { Name = "Example.COM", Subtree = true, Hold = TimeSpan.FromMinutes(5) },
                new WatchRuleOptions { Name = "api.example.com" },
            ],
        }));

        Assert.Equal(TimeSpan.FromMinutes(15), list.RuleFor(Wire("API.example.com."))!.Hold); // its own rule, the default hold
        Assert.Equal(TimeSpan.FromMinutes(5), list.RuleFor(Wire("x.api.example.com."))!.Hold); // not covered by the exact rule: the subtree's
        Assert.Equal("example.com.", list.RuleFor(Wire("example.com."))!.Name.ToString());
        Assert.Null(list.RuleFor(Wire("example.org.")));
    }

    [Fact]
    public void AReload_AppliesTheConfiguredNames_ButNotOverRunTimeChanges()
    {
        var options = new TestOptions<WatchOptions>(new WatchOptions
        {
            Names = [new WatchRuleOptions { Name = "old.example" }, new WatchRuleOptions { Name = "pinned.example" }, new WatchRuleOptions { Name = "changed.example" }],
        });
        var list = new WatchList(options);
        list.Set(WatchRule.TryCreate("pinned.example", false, TimeSpan.FromMinutes(1), null, string.Empty, [])!); // changed at run time
        var changes = 0;
        list.Changed += () => changes++;

        options.Reload(new WatchOptions
        {
            Names = [new WatchRuleOptions { Name = "new.example" }, new WatchRuleOptions { Name = "changed.example", Hold = TimeSpan.FromMinutes(3) }],
        });

        Assert.Equal(["changed.example.", "new.example.", "pinned.example."], list.Rules.Select(r => r.Name.ToString()));
        Assert.Equal(TimeSpan.FromMinutes(3), list.RuleFor(Wire("changed.example."))!.Hold);
        Assert.Equal(TimeSpan.FromMinutes(1), list.RuleFor(Wire("pinned.example."))!.Hold); // the run-time rule stays
        Assert.Equal(1, changes); // the sidecar is rewritten
    }

    [Fact]
    public void SetAndRemove_ChangeTheList_AndSayTheyDid()
    {
        var list = new WatchList(new TestOptions<WatchOptions>(new WatchOptions()));
        var changes = 0;
        list.Changed += () => changes++;

        list.Set(WatchRule.TryCreate("api.example.com", false, TimeSpan.FromMinutes(1), null, string.Empty, [])!);
        list.Set(WatchRule.TryCreate("API.example.com.", true, TimeSpan.FromMinutes(2), null, string.Empty, [])!); // the same name: replaced
        var rules = list.Rules;
        var removed = list.Remove(DnsName.Parse("api.example.com."));
        var again = list.Remove(DnsName.Parse("api.example.com."));

        var rule = Assert.Single(rules);
        Assert.True(rule.Subtree);
        Assert.NotNull(removed);
        Assert.Null(again);
        Assert.Empty(list.Rules);
        Assert.Equal(3, changes);
    }

    [Theory]
    [InlineData("", "00:15:00", null, "Watch:Names:0:Name")]
    [InlineData(".", "00:15:00", null, "the root cannot be watched")]
    [InlineData("api.example.com", "00:00:00", null, "Watch:Names:0:Hold")]
    [InlineData("api.example.com", "2.00:00:00", null, "Watch:Names:0:Hold")]
    [InlineData("api.example.com", "00:15:00", "00:00:00.5", "Watch:Names:0:ProbeInterval")]
    public void TheValidator_NamesTheKeyOfEachBadValue(string name, string hold, string? probe, string expected)
    {
        var options = new WatchOptions
        {
            Names = [new WatchRuleOptions { Name = name, Hold = TimeSpan.Parse(hold, System.Globalization.CultureInfo.InvariantCulture), ProbeInterval = probe is null ? null : TimeSpan.Parse(probe, System.Globalization.CultureInfo.InvariantCulture) }],
        };

        var result = new WatchOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void TheValidator_RejectsANameWatchedTwice()
    {
        var options = new WatchOptions { Names = [new WatchRuleOptions { Name = "a.example." }, new WatchRuleOptions { Name = "A.example" }] };

        var result = new WatchOptionsValidator().Validate(null, options);

        Assert.Contains("Watch:Names:1:Name", result.FailureMessage, StringComparison.Ordinal);
    }

    private static byte[] Wire(string name) => DnsName.Parse(name).Wire.ToArray();
}
