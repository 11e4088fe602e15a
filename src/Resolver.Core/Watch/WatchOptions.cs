namespace Resolver.Core.Watch;

/// <summary>
/// The "Watch" configuration section: the names that matter (an API host, a payment provider), whose positive
/// answer a negative one may not replace at once. More can be added at run time through the admin API.
/// </summary>
public sealed class WatchOptions
{
    public const string SectionName = "Watch";

    public List<WatchRuleOptions> Names { get; set; } = [];
}

/// <summary>One entry of Watch:Names.</summary>
public sealed class WatchRuleOptions
{
    /// <summary>"api.example.com".</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The names below it are watched too.</summary>
    public bool Subtree { get; set; }

    /// <summary>How long a negative answer (or SERVFAIL) must last before it replaces the positive one; 15 minutes by default.</summary>
    public TimeSpan Hold { get; set; } = WatchRule.DefaultHold;

    /// <summary>When set, the name is re-resolved on this interval with no client asking, so a failure shows before a user meets it.</summary>
    public TimeSpan? ProbeInterval { get; set; }
}
