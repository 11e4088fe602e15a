namespace Resolver.Admin;

/// <summary>GET /api/v1/watch: the watched names and the holds in progress.</summary>
public sealed record WatchListView(IReadOnlyList<WatchRuleView> Names, IReadOnlyList<HoldView> Holds);

/// <summary>One watched name: with <see cref="Subtree"/>, the names below it too.</summary>
public sealed record WatchRuleView(string Name, bool Subtree, TimeSpan Hold, TimeSpan? ProbeInterval);

/// <summary>PUT /api/v1/watch/{name}: the rule's fields; each left out takes its default (no subtree, a 15-minute hold, no probing).</summary>
public sealed record WatchRequest(bool Subtree = false, TimeSpan? Hold = null, TimeSpan? ProbeInterval = null);

/// <summary>
/// A hold: since when the upstreams answer a watched question negatively (or fail), which upstream said what last,
/// and when the negative answer takes effect unless an upstream has the answer again.
/// </summary>
public sealed record HoldView(string Name, string Type, DateTimeOffset Since, DateTimeOffset Until, string Upstream, string Answer);

/// <summary>POST /api/v1/watch/{name}/accept: the holds ended, their negative answers now served.</summary>
public sealed record AcceptResponse(IReadOnlyList<HoldView> Accepted);
