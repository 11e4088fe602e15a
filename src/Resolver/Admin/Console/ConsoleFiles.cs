using System.Collections.Frozen;

namespace Resolver.Admin.Console;

/// <summary>
/// The console's static files (wwwroot), embedded in the assembly so they are served the same from <c>dotnet run</c>,
/// the published binary and the systemd unit, whatever the working directory. Read once at start-up.
/// </summary>
internal sealed class ConsoleFiles
{
    /// <summary>The prefix of the files' manifest resource names (see Resolver.csproj).</summary>
    private const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, ConsoleFile> _files;

    public ConsoleFiles()
    {
        var assembly = typeof(ConsoleFiles).Assembly;
        var files = new Dictionary<string, ConsoleFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!s_contentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                throw new InvalidOperationException($"The console file '{name}' has no known content type; add its extension to ConsoleFiles.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name] = new ConsoleFile(copy.ToArray(), contentType);
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every file's name ("index.html", "console.js", …).</summary>
    public IEnumerable<string> Names => _files.Keys;

    /// <summary>The file at <paramref name="name"/> ("index.html", "console.js"), or null.</summary>
    public ConsoleFile? Find(string name) => _files.GetValueOrDefault(name);
}

/// <summary>One embedded file: its bytes and its Content-Type.</summary>
internal sealed record ConsoleFile(byte[] Content, string ContentType);
