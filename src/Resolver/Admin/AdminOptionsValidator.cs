using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// Start-up checks for "Admin"; each message names the key and the fix. The token files themselves (owner, mode,
/// length) are checked where they are read, by <see cref="AdminTokens"/>.
/// </summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    private const int MaxFailedAuthLimit = 100_000;

    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            ValidateToken(options.Tokens[i], $"Admin:Tokens:{i}", errors);
        }

        for (var i = 0; i < options.Peers.Count; i++)
        {
            ValidatePeer(options.Peers[i], $"Admin:Peers:{i}", options.AllowInsecurePeers, errors);
        }

        if (options.FleetTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Admin:FleetTimeout must be positive (was {options.FleetTimeout}).");
        }

        if (options.FailedAuthLimit is < 1 or > MaxFailedAuthLimit)
        {
            errors.Add($"Admin:FailedAuthLimit must be between 1 and {MaxFailedAuthLimit} (was {options.FailedAuthLimit}).");
        }

        if (options.FailedAuthWindow < TimeSpan.FromSeconds(1) || options.FailedAuthWindow > TimeSpan.FromDays(1))
        {
            errors.Add($"Admin:FailedAuthWindow must be between 00:00:01 and 1.00:00:00 (was {options.FailedAuthWindow}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateToken(AdminTokenOptions token, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(token.Name))
        {
            errors.Add($"{key}:Name is required (it names the caller in audit lines).");
        }

        var inline = token.Token.Length > 0;
        if (inline == token.HasTokenFile)
        {
            errors.Add(inline
                ? $"{key}:Token / {key}:TokenFile: set one of them, not both."
                : $"{key}:Token / {key}:TokenFile: set one of them (the token, or a file holding it).");
        }
        else if (inline && token.Token.Length < TokenFileCheck.MinTokenLength)
        {
            errors.Add($"{key}:Token must be at least {TokenFileCheck.MinTokenLength} characters (was {token.Token.Length}); `openssl rand -base64 32` makes one.");
        }
    }

    private static void ValidatePeer(PeerOptions peer, string key, bool allowInsecure, List<string> errors)
    {
        if (!Uri.TryCreate(peer.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{key}:Url: '{peer.Url}' is not an http(s) URL.");
        }
        else if (!allowInsecure && AdminUrl.IsClearTextBeyondLoopback(peer.Url))
        {
            errors.Add($"{key}:Url: '{peer.Url}' would send the peer's Admin token in clear across the network; use https:// " +
                "(README, \"Running the admin API over HTTPS (fleets)\") or set Admin:AllowInsecurePeers to true.");
        }

        if (string.IsNullOrWhiteSpace(peer.Token))
        {
            errors.Add($"{key}:Token is required (an Admin token of that peer).");
        }
    }
}
