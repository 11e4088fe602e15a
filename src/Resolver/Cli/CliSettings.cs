using Microsoft.Extensions.Configuration;
using Resolver.Admin;
using Resolver.Hosting;

namespace Resolver.Cli;

/// <summary>The part of the resolver's configuration file the CLI needs: the Admin section.</summary>
internal sealed class CliSettings
{
    private CliSettings(string path, AdminOptions admin)
    {
        Path = path;
        Urls = admin.Urls;
        Tokens = admin.Tokens;
        TokenFile = admin.ResolveTokenFile();
    }

    public string Path { get; }

    public string Urls { get; }

    public IReadOnlyList<AdminTokenOptions> Tokens { get; }

    public string TokenFile { get; }

    /// <summary>Reads <paramref name="configPath"/> (it must exist), or the appsettings.json next to the executable (defaults when absent).</summary>
    public static CliSettings Load(string? configPath)
    {
        var path = System.IO.Path.GetFullPath(configPath ?? ConfigurationFile.Default);
        if (!File.Exists(path))
        {
            return configPath is null
                ? new CliSettings(path, new AdminOptions())
                : throw new CliException($"Configuration file not found: {path}");
        }

        try
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
            var admin = new AdminOptions();
            configuration.GetSection(AdminOptions.SectionName).Bind(admin);
            return new CliSettings(path, admin);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {path}: {e.Message}");
        }
    }
}
