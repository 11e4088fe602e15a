namespace Resolver.Hosting;

/// <summary>
/// The configuration file as a configuration source whose values change only when <see cref="ConfigurationReloader"/>
/// hands it a file it has parsed and validated. The stock JSON source reloads by itself: a half-written or invalid
/// file would empty or break the configuration of a running resolver.
/// </summary>
internal sealed class ReloadableJsonSource(string path) : IConfigurationSource
{
    public string Path { get; } = path;

    /// <summary>The provider, once the configuration has built it.</summary>
    public ReloadableJsonProvider? Provider { get; private set; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider ??= new ReloadableJsonProvider(Path);

    /// <summary>The file's settings as configuration keys ("Dns:Listen:0"); throws InvalidDataException when it is not JSON.</summary>
    public static Dictionary<string, string?> Read(string path) =>
        new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build()
            .AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
}

internal sealed class ReloadableJsonProvider(string path) : ConfigurationProvider
{
    public override void Load() => Data = ReloadableJsonSource.Read(path);

    /// <summary>Takes <paramref name="settings"/> (already validated) and tells the options monitors.</summary>
    public void Replace(Dictionary<string, string?> settings)
    {
        Data = settings;
        OnReload();
    }
}
