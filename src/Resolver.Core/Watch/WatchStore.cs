using System.Text.Json;
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
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var errors = new List<string>();
            var rules = new List<WatchRule>();
            foreach (var item in document.RootElement.GetProperty("names").EnumerateArray())
            {
                var probe = item.TryGetProperty("probeInterval", out var p) && p.ValueKind == JsonValueKind.String ? TimeSpan.Parse(p.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : (TimeSpan?)null;
                if (WatchRule.TryCreate(
                    item.GetProperty("name").GetString(),
                    item.GetProperty("subtree").GetBoolean(),
                    TimeSpan.Parse(item.GetProperty("hold").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                    probe,
                    $"{path}: ",
                    errors) is { } rule)
                {
                    rules.Add(rule);
                }
            }

            var unwatched = document.RootElement.GetProperty("unwatched").EnumerateArray()
                .Select(n => DnsName.TryParse(n.GetString(), out var name) ? name.ToLowerInvariant() : null).OfType<DnsName>().ToList();
            foreach (var error in errors)
            {
                LogDamaged(logger, path, error);
            }

            watches.Import(rules, unwatched);
            LogLoaded(logger, rules.Count, unwatched.Count, path);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or IOException or UnauthorizedAccessException)
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

                using (var stream = new FileStream(temporary, fileOptions))
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("names");
                    foreach (var rule in rules.OrderBy(r => r.Name.ToString(), StringComparer.Ordinal))
                    {
                        writer.WriteStartObject();
                        writer.WriteString("name", rule.Name.ToString());
                        writer.WriteBoolean("subtree", rule.Subtree);
                        writer.WriteString("hold", rule.Hold.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
                        if (rule.ProbeInterval is { } probe)
                        {
                            writer.WriteString("probeInterval", probe.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("unwatched");
                    foreach (var name in unwatched)
                    {
                        writer.WriteStringValue(name.ToString());
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
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
