using Resolver.Admin;

namespace Resolver.Cli;

/// <summary>
/// Where the admin API is and which bearer token to send: --url, and --token or --token-file, else the
/// RESOLVER_URL/RESOLVER_TOKEN environment variables, else the resolver's own configuration file
/// (Admin:Urls, Admin:Tokens with Token or TokenFile, or the generated token file).
/// </summary>
internal sealed record AdminEndpoint(Uri BaseUrl, string Token)
{
    public const string UrlVariable = "RESOLVER_URL";
    public const string TokenVariable = "RESOLVER_TOKEN";

    /// <param name="url">--url, or null.</param>
    /// <param name="token">--token, or null.</param>
    /// <param name="tokenFile">--token-file, or null.</param>
    /// <param name="configPath">--config, or null for appsettings.json next to the executable.</param>
    /// <param name="needsAdmin">True for calls that change state (flush): a token with the Admin role is taken from the configuration.</param>
    public static AdminEndpoint Resolve(string? url, string? token, string? tokenFile, string? configPath, bool needsAdmin)
    {
        token = NonEmpty(token);
        tokenFile = NonEmpty(tokenFile);
        if (token is not null && tokenFile is not null)
        {
            throw new CliException("Give --token or --token-file, not both.") { ExitCode = 2 };
        }

        if (tokenFile is not null)
        {
            token = ReadTokenFile(tokenFile, "--token-file");
        }

        url = NonEmpty(url) ?? NonEmpty(Environment.GetEnvironmentVariable(UrlVariable));
        token ??= NonEmpty(Environment.GetEnvironmentVariable(TokenVariable));
        string source;
        if (url is null || token is null)
        {
            var settings = CliSettings.Load(configPath);
            source = url is null ? $"Admin:Urls in {settings.Path}" : "--url or " + UrlVariable;
            url ??= settings.Urls;
            token ??= TokenFrom(settings, needsAdmin);
        }
        else
        {
            source = "--url or " + UrlVariable;
        }

        return new AdminEndpoint(ParseUrl(url, source), token);
    }

    /// <summary>The first of a ';'-separated list, with a wildcard host (0.0.0.0, [::], *, +) replaced by 127.0.0.1.</summary>
    internal static Uri ParseUrl(string urls, string source)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;
        if (AdminUrl.TryFindHost(first, out var hostStart, out var hostLength)
            && AdminUrl.WildcardHosts.Contains(first.Substring(hostStart, hostLength), StringComparer.Ordinal))
        {
            first = string.Concat(first.AsSpan(0, hostStart), "127.0.0.1", first.AsSpan(hostStart + hostLength));
        }

        if (!Uri.TryCreate(first, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"'{first}' (from {source}) is not an http:// or https:// URL.");
        }

        // Relative API paths resolve under the base URL only when it ends with a slash.
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    private static string TokenFrom(CliSettings settings, bool needsAdmin)
    {
        if (settings.Tokens.Count > 0)
        {
            var index = needsAdmin ? settings.Tokens.ToList().FindIndex(t => t.Role == AdminRole.Admin) : 0;
            if (index < 0)
            {
                throw new CliException($"No token with the Admin role in Admin:Tokens of {settings.Path}; pass --token-file or set {TokenVariable}.");
            }

            var chosen = settings.Tokens[index];
            return chosen.HasTokenFile ? ReadTokenFile(chosen.TokenFile!, $"Admin:Tokens:{index}:TokenFile of {settings.Path}") : chosen.Token;
        }

        var file = settings.TokenFile;
        if (!File.Exists(file))
        {
            throw new CliException(
                $"No admin token: pass --token-file, set {TokenVariable}, or configure Admin:Tokens in {settings.Path} " +
                $"(the generated token file {file} does not exist; the resolver writes it at first start).");
        }

        return ReadTokenFile(file, "the generated token file");
    }

    /// <summary>The token in <paramref name="path"/>, trimmed; <paramref name="source"/> says where the path came from.</summary>
    private static string ReadTokenFile(string path, string source)
    {
        try
        {
            var token = File.ReadAllText(path).Trim();
            return token.Length > 0 ? token : throw new CliException($"The token file {path} ({source}) is empty.");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"The token file {path} ({source}) does not exist.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the token file {path} ({source}): {e.Message}");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
