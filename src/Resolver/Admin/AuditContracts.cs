namespace Resolver.Admin;

/// <summary>
/// GET /api/v1/audit: who is asking (the token's name and role, so a client knows whether it may act), and the
/// recent admin actions, newest first.
/// </summary>
public sealed record AuditView(CallerView Caller, IReadOnlyList<AuditEntryView> Entries);

/// <summary>The token a request was made with: its configured name and its role (Read or Admin).</summary>
public sealed record CallerView(string Name, string Role);

/// <summary>One admin action: when, by which token from which address, what (flush, drain, undrain, watch, unwatch, accept), on what, and its outcome.</summary>
public sealed record AuditEntryView(DateTimeOffset Time, string Caller, string Address, string Action, string Target, string Detail);
