using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// The bearer tokens the admin API accepts: inline (Admin:Tokens:N:Token), from files (Admin:Tokens:N:TokenFile), or,
/// with none configured, one Admin token generated into a file only this user can read. Every token file is checked
/// at start (<see cref="TokenFileCheck"/>); a bad one stops start-up. Tokens are compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, every token every time, so timing tells nothing.
/// </summary>
internal sealed partial class AdminTokens
{
    private readonly (byte[] Digest, AdminIdentity Identity)[] _tokens;

    /// <exception cref="OptionsValidationException">A token file is missing, not the resolver's own, readable by others or too short; or two entries share a token.</exception>
    public AdminTokens(IOptions<AdminOptions> options, ILogger<AdminTokens> logger)
    {
        var admin = options.Value;
        var failures = new List<string>();
        var loaded = new List<(string Token, AdminIdentity Identity)>();
        if (admin.Tokens.Count == 0)
        {
            var path = admin.ResolveTokenFile();
            var created = CreateIfAbsent(path);
            LogGenerated(logger, path, created ? "generated" : "reused");
            if (TokenFileCheck.Read(path, "Admin:TokenFile", failures) is { } generated)
            {
                loaded.Add((generated, new AdminIdentity("generated", AdminRole.Admin)));
            }
        }

        for (var i = 0; i < admin.Tokens.Count; i++)
        {
            var entry = admin.Tokens[i];
            var token = entry.HasTokenFile ? TokenFileCheck.Read(entry.TokenFile!, $"Admin:Tokens:{i}:TokenFile", failures) : entry.Token;
            if (token is not null)
            {
                loaded.Add((token, new AdminIdentity(entry.Name, entry.Role)));
            }
        }

        if (loaded.DistinctBy(t => t.Token, StringComparer.Ordinal).Count() != loaded.Count)
        {
            failures.Add("Admin:Tokens: two entries share a token; give each caller its own.");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(AdminOptions.SectionName, typeof(AdminOptions), failures);
        }

        _tokens = [.. loaded.Select(t => (Digest(t.Token), t.Identity))];
    }

    /// <summary>Finds who presents <paramref name="token"/>.</summary>
    public bool TryAuthenticate(string token, [NotNullWhen(true)] out AdminIdentity? identity)
    {
        var digest = Digest(token);
        identity = null;
        foreach (var (candidate, owner) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest))
            {
                identity = owner;
            }
        }

        return identity is not null;
    }

    /// <summary>Creates the token file with 32 random bytes (mode 0600, its folder 0700) unless it exists; true when created.</summary>
    internal static bool CreateIfAbsent(string path)
    {
        if (File.Exists(path))
        {
            return false;
        }

        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, Encoding.ASCII, file))
        {
            writer.Write(token);
        }

        return true;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "No admin token configured (Admin:Tokens); {How} an Admin token in {Path}, readable only by this user")]
    private static partial void LogGenerated(ILogger logger, string path, string how);
}

/// <summary>Who presents a token: its name and role.</summary>
internal sealed record AdminIdentity(string Name, AdminRole Role);
