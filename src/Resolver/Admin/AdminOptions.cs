namespace Resolver.Admin;

/// <summary>The "Admin" configuration section: where the admin API listens, who may use it, and the fleet.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Never public by default.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8053";

    /// <summary>
    /// Bearer tokens with a role. When empty, one Admin token is generated into <see cref="TokenFile"/> at first start.
    /// Each can also come from the environment: <c>Admin__Tokens__0__Token=…</c>.
    /// </summary>
    public List<AdminTokenOptions> Tokens { get; set; } = [];

    /// <summary>Where a generated token is kept (readable only by this user). Default: ~/.local/share/resolver/admin-token.</summary>
    public string? TokenFile { get; set; }

    /// <summary>The other resolvers of the fleet; a flush with "fleet": true goes to each of them.</summary>
    public List<PeerOptions> Peers { get; set; } = [];

    /// <summary>
    /// Allows http:// peer URLs to hosts other than loopback. Off by default: a fleet flush sends the peer's Admin
    /// token, which plain HTTP carries in clear across the network.
    /// </summary>
    public bool AllowInsecurePeers { get; set; }

    /// <summary>How long a fleet flush waits for each peer.</summary>
    public TimeSpan FleetTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Requests without a valid token to an endpoint that needs one, per client address and <see cref="FailedAuthWindow"/>;
    /// past it, such requests get 429 with Retry-After. Valid tokens and /healthz, /readyz, /metrics are never limited.
    /// </summary>
    public int FailedAuthLimit { get; set; } = 10;

    /// <summary>The fixed window <see cref="FailedAuthLimit"/> counts in.</summary>
    public TimeSpan FailedAuthWindow { get; set; } = TimeSpan.FromMinutes(1);

    public string ResolveTokenFile() =>
        TokenFile ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "resolver", "admin-token");
}

public sealed class AdminTokenOptions
{
    /// <summary>Who this is, for audit lines ("ops", "grafana").</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The token itself (at least 32 characters); or leave it empty and set <see cref="TokenFile"/>.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>A file holding the token: owned by the user the resolver runs as, mode 0600, at least 32 characters.</summary>
    public string? TokenFile { get; set; }

    public AdminRole Role { get; set; } = AdminRole.Read;

    /// <summary>True when the token is read from <see cref="TokenFile"/> rather than given inline.</summary>
    internal bool HasTokenFile => !string.IsNullOrWhiteSpace(TokenFile);
}

public sealed class PeerOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The peer's admin base URL, e.g. https://10.0.0.2:8443 (http:// only to loopback, unless <see cref="AdminOptions.AllowInsecurePeers"/>).</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>An Admin token of that peer.</summary>
    public string Token { get; set; } = string.Empty;
}

public enum AdminRole
{
    /// <summary>Inspect the cache, statistics and upstreams.</summary>
    Read,

    /// <summary>Everything, including flushes and draining upstreams.</summary>
    Admin,
}
