namespace Resolver.Admin;

/// <summary>
/// A token file must be the resolver's own secret: owned by the user it runs as, no permission for group or others
/// (mode 0600 or stricter), and a token of at least <see cref="MinTokenLength"/> characters. Anything else stops
/// start-up with a message naming the file, what is wrong and the fix.
/// </summary>
internal static class TokenFileCheck
{
    /// <summary>The shortest token accepted, inline or in a file (a generated one has 43).</summary>
    public const int MinTokenLength = 32;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The token in <paramref name="path"/>, trimmed; null after adding each problem to <paramref name="failures"/>.</summary>
    /// <param name="key">The configuration key that names the file, for the messages.</param>
    public static string? Read(string path, string key, List<string> failures) =>
        Read(path, key, OperatingSystem.IsLinux() ? UnixFileStat.CurrentUserId : 0, failures);

    /// <param name="expectedOwner">The user id that must own the file (tests pass another one).</param>
    internal static string? Read(string path, string key, uint expectedOwner, List<string> failures)
    {
        if (!File.Exists(path))
        {
            failures.Add($"{key}: {path} does not exist; write a token of at least {MinTokenLength} characters into it (openssl rand -base64 32 > {path}; chmod 600 {path}).");
            return null;
        }

        var before = failures.Count;
        // The listeners need Linux (epoll); elsewhere (a developer's machine) only the length is checked.
        if (OperatingSystem.IsLinux())
        {
            CheckOwnerAndMode(path, key, expectedOwner, failures);
        }

        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{key}: cannot read {path}: {e.Message}");
            return null;
        }

        if (token.Length < MinTokenLength)
        {
            failures.Add($"{key}: {path} holds a token of {token.Length} characters; write a token of at least {MinTokenLength} characters (openssl rand -base64 32 > {path}).");
        }

        return failures.Count == before ? token : null;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void CheckOwnerAndMode(string path, string key, uint expectedOwner, List<string> failures)
    {
        if (!UnixFileStat.TryGet(path, out var owner, out var mode, out var errno))
        {
            failures.Add($"{key}: cannot read the owner and mode of {path} (statx errno {errno}).");
            return;
        }

        if (owner != expectedOwner)
        {
            failures.Add($"{key}: {path} is owned by uid {owner}, not by the user the resolver runs as (uid {expectedOwner}); chown {Environment.UserName} {path}.");
        }

        if ((mode & GroupOrOther) != 0)
        {
            var octal = Convert.ToString((int)mode, 8).PadLeft(4, '0');
            failures.Add($"{key}: {path} has mode {octal}, so other users may read or change it; chmod 600 {path}.");
        }
    }
}
