using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>Start-up checks for "Admin"; each message names the key.</summary>
internal sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    private const int MinTokenLength = 16;
    private const int MaxFailedAuthLimit = 100_000;

    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            var token = options.Tokens[i];
            if (string.IsNullOrWhiteSpace(token.Name))
            {
                errors.Add($"Admin:Tokens:{i}:Name is required (it names the caller in audit lines).");
            }

            if (token.Token.Length < MinTokenLength)
            {
                errors.Add($"Admin:Tokens:{i}:Token must be at least {MinTokenLength} characters.");
            }
        }

        if (options.Tokens.Select(t => t.Token).Distinct(StringComparer.Ordinal).Count() != options.Tokens.Count)
        {
            errors.Add("Admin:Tokens: two entries share a token.");
        }

        for (var i = 0; i < options.Peers.Count; i++)
        {
            var peer = options.Peers[i];
            if (!Uri.TryCreate(peer.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"Admin:Peers:{i}:Url: '{peer.Url}' is not an http(s) URL.");
            }

            if (string.IsNullOrWhiteSpace(peer.Token))
            {
                errors.Add($"Admin:Peers:{i}:Token is required (an Admin token of that peer).");
            }
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
}
