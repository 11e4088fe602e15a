using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Cache;
using Resolver.Protocol.Names;

namespace Resolver.Core.Watch;

/// <summary>
/// Keeps the watched names changed at run time across restarts, beside the cache snapshot: Cache:SnapshotPath with
/// ".watch.json" appended (nothing is kept when snapshots are off). It holds every rule and the configured names
/// unwatched; at start it is applied over Watch:Names, its rules winning for their names. Written on every change,
/// atomically (a temporary file renamed over the old one, mode 0600). A missing file is an empty one; a damaged one is
/// logged and ignored: the configured names stand.
/// </summary>
internal sealed partial class WatchStore(WatchList watches, IOptions<CacheOptions> options, ILogger<WatchStore> logger) : IHostedService
{
    public const string Suffix = ".watch.json";
    private readonly Lock _saveLock = new();

    private string? FilePath => string.IsNullOrEmpty(options.Value.SnapshotPath) ? null : options.Value.SnapshotPath + Suffix;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (FilePath is { } path)
        {
            Load(path);
            watches.Changed += Save;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        watches.Changed -= Save;
        return Task.CompletedTask;
    }

    private void Load(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), WatchFileJson.Default.WatchFile) ?? throw new JsonException("The file holds null.");
            var errors = new List<string>();
            var rules = (file.Names ?? []).OfType<WatchRuleOptions>()
                .Select(n => WatchRule.TryCreate(n.Name, n.Subtree, n.Hold, n.ProbeInterval, $"{path}: ", errors)).OfType<WatchRule>().ToList();
            var unwatched = (file.Unwatched ?? []).Select(n => DnsName.TryParse(n, out var name) ? name.ToLowerInvariant() : null).OfType<DnsName>().ToList();
            foreach (var error in errors)
            {
                LogDamaged(logger, path, error);
            }

            watches.Import(rules, unwatched);
            LogLoaded(logger, rules.Count, unwatched.Count, path);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            LogDamaged(logger, path, e.Message);
        }
    }

    private void Save()
    {
        if (FilePath is not { } path)
        {
            return;
        }

        lock (_saveLock)
        {
            var (rules, unwatched) = watches.Export();
            var temporary = path + ".tmp";
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
                File.Delete(temporary);
                var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                var file = new WatchFile(
                    [.. rules.OrderBy(r => r.Name.ToString(), StringComparer.Ordinal)
                        .Select(r => new WatchRuleOptions { Name = r.Name.ToString(), Subtree = r.Subtree, Hold = r.Hold, ProbeInterval = r.ProbeInterval })],
                    [.. unwatched.Select(n => n.ToString())]);
                using (var stream = new FileStream(temporary, fileOptions))
                {
                    JsonSerializer.Serialize(stream, file, WatchFileJson.Default.WatchFile);
                }

                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogSaveFailed(logger, path, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Watch changes restored: {Rules} names watched, {Unwatched} configured names unwatched, from {Path}")]
    private static partial void LogLoaded(ILogger logger, int rules, int unwatched, string path);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Watch changes in {Path} not (all) restored: {Error}; the configured names stand")]
    private static partial void LogDamaged(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 322, Level = LogLevel.Warning, Message = "Watch changes not saved to {Path}: {Error}; they last until the resolver stops")]
    private static partial void LogSaveFailed(ILogger logger, string path, string error);
}

/// <summary>The file: every rule now, in the shape of Watch:Names, and the configured names unwatched.</summary>
internal sealed record WatchFile(List<WatchRuleOptions?>? Names, List<string?>? Unwatched);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WatchFile))]
internal sealed partial class WatchFileJson : JsonSerializerContext;
