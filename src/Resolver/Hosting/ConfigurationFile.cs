namespace Resolver.Hosting;

/// <summary>Which configuration file to run with: <c>--config PATH</c>, else the appsettings.json shipped beside the binary.</summary>
internal static class ConfigurationFile
{
    public const string Switch = "--config";

    /// <summary>The appsettings.json shipped beside the binary (a copy of config/appsettings.json).</summary>
    public static string Default => Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    public static string Resolve(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == Switch && i + 1 < args.Length)
            {
                return Path.GetFullPath(args[i + 1]);
            }

            if (args[i].StartsWith(Switch + "=", StringComparison.Ordinal))
            {
                return Path.GetFullPath(args[i][(Switch.Length + 1)..]);
            }
        }

        return Default;
    }

    /// <summary>The arguments without <c>--config PATH</c>, for the command-line configuration provider.</summary>
    public static string[] WithoutSwitch(string[] args)
    {
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == Switch)
            {
                i++;
                continue;
            }

            if (!args[i].StartsWith(Switch + "=", StringComparison.Ordinal))
            {
                rest.Add(args[i]);
            }
        }

        return [.. rest];
    }
}
