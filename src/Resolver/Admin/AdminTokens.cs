using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// The bearer tokens the admin API accepts. Tokens are compared as SHA-256 digests with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, every token every time, so timing tells
/// nothing. With none configured, one Admin token is generated into a file only this user can read.
/// </summary>
internal sealed partial class AdminTokens
{
    private readonly (byte[] Digest, AdminIdentity Identity)[] _tokens;

    public AdminTokens(IOptions<AdminOptions> options, ILogger<AdminTokens> logger)
    {
        var configured = options.Value.Tokens;
        if (configured.Count == 0)
        {
            var path = options.Value.ResolveTokenFile();
            var token = LoadOrCreate(path, out var created);
            LogGenerated(logger, path, created ? "generated" : "reused");
            configured = [new AdminTokenOptions { Name = "generated", Token = token, Role = AdminRole.Admin }];
        }

        _tokens = [.. configured.Select(t => (Digest(t.Token), new AdminIdentity(t.Name, t.Role)))];
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

    /// <summary>Reads the token file, or creates it (mode 0600, its folder 0700) with 32 random bytes.</summary>
    internal static string LoadOrCreate(string path, out bool created)
    {
        if (File.Exists(path))
        {
            created = false;
            return File.ReadAllText(path).Trim();
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

        created = true;
        return token;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "No admin token configured (Admin:Tokens); {How} an Admin token in {Path}, readable only by this user")]
    private static partial void LogGenerated(ILogger logger, string path, string how);
}

/// <summary>Who made an admin call: the token's name and role.</summary>
internal sealed record AdminIdentity(string Name, AdminRole Role);
