using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Resolver.Core.Cache;

/// <summary>
/// Keeps the cache across restarts (Cache:SnapshotPath): loads the snapshot at start, saves it every
/// Cache:SnapshotInterval and on a graceful stop. Registered before the DNS listeners, so the cache is
/// loaded before the first query and saved after the last (hosted services stop in reverse order).
/// Path and interval are read once at start: changing them needs a restart. No snapshot problem stops
/// the resolver: a missing, damaged or unwritable file is logged and the cache carries on.
/// </summary>
internal sealed partial class CacheSnapshotService : IHostedService, IDisposable
{
    private readonly DnsCache _cache;
    private readonly CacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CacheSnapshotService> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _saveLock = new();
    private Task? _periodicSaves;

    public CacheSnapshotService(DnsCache cache, IOptions<CacheOptions> options, TimeProvider time, ILogger<CacheSnapshotService> logger)
    {
        _cache = cache;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    private string? SnapshotPath => string.IsNullOrEmpty(_options.SnapshotPath) ? null : _options.SnapshotPath;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (SnapshotPath is not { } path)
        {
            LogDisabled(_logger);
            return Task.CompletedTask;
        }

        Load(path);
        _periodicSaves = SavePeriodicallyAsync(path, _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (SnapshotPath is not { } path || _periodicSaves is null)
        {
            return; // off, or never started (so nothing was loaded that a save would keep)
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _periodicSaves.ConfigureAwait(false); // a periodic save under way finishes first
        Save(path, LogLevel.Information);
    }

    public void Dispose() => _stopping.Dispose();

    private void Load(string path)
    {
        var started = _time.GetTimestamp();
        CacheSnapshotReport report;
        try
        {
            report = CacheSnapshot.Load(path, _cache);
        }
        catch (Exception e) when (IsFileError(e))
        {
            LogLoadFailed(_logger, e, path);
            return;
        }

        var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        switch (report.Problem)
        {
            case CacheSnapshotProblem.Missing:
                LogMissing(_logger, path);
                break;
            case CacheSnapshotProblem.NotASnapshot:
                LogIgnored(_logger, path, "it is not a cache snapshot");
                break;
            case CacheSnapshotProblem.UnsupportedVersion:
                LogIgnored(_logger, path, $"it has format version {report.Version} and this build reads version {CacheSnapshot.FormatVersion}");
                break;
            case CacheSnapshotProblem.Truncated or CacheSnapshotProblem.Corrupt:
                LogDamaged(_logger, path, report.Problem == CacheSnapshotProblem.Truncated ? "truncated" : "corrupt", report.ProblemOffset, report.Restored);
                break;
            default:
                LogLoaded(_logger, path, report.Restored, report.SavedAt, report.Expired, report.Invalid, report.Unsupported, report.OverCapacity, elapsed);
                break;
        }
    }

    private async Task SavePeriodicallyAsync(string path, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SnapshotInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Save(path, LogLevel.Debug);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the final save follows in StopAsync
        }
    }

    private void Save(string path, LogLevel level)
    {
        lock (_saveLock)
        {
            var started = _time.GetTimestamp();
            try
            {
                var count = CacheSnapshot.Save(path, _cache);
                LogSaved(_logger, level, count, path, (long)_time.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception e) when (IsFileError(e))
            {
                LogSaveFailed(_logger, e, path);
            }
        }
    }

    private static bool IsFileError(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    [LoggerMessage(EventId = 110, Level = LogLevel.Information,
        Message = "Restored {Restored} cache entries from {Path}, saved at {SavedAt:u} ({Expired} past their stale window, {Invalid} invalid, {Unsupported} from a newer version, {OverCapacity} beyond Cache:MaxEntries or MaxBytes) in {ElapsedMs} ms")]
    private static partial void LogLoaded(
        ILogger logger, string path, int restored, DateTimeOffset savedAt, int expired, int invalid, int unsupported, int overCapacity, long elapsedMs);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "No cache snapshot at {Path} yet: starting with an empty cache")]
    private static partial void LogMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning,
        Message = "Cache snapshot {Path} is {Problem} at byte {Offset}: kept the {Restored} entries before it and ignored the rest; the next save replaces it")]
    private static partial void LogDamaged(ILogger logger, string path, string problem, long offset, int restored);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "Cache snapshot {Path} ignored: {Reason}; the next save replaces it")]
    private static partial void LogIgnored(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "Cache snapshot {Path} could not be read: starting with an empty cache")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 115, Message = "Saved {Count} cache entries to {Path} in {ElapsedMs} ms")]
    private static partial void LogSaved(ILogger logger, LogLevel level, int count, string path, long elapsedMs);

    [LoggerMessage(EventId = 116, Level = LogLevel.Warning, Message = "Cache snapshot {Path} could not be saved; the previous one, if any, is kept")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 117, Level = LogLevel.Information, Message = "Cache snapshots are off (Cache:SnapshotPath is empty): a restart empties the cache")]
    private static partial void LogDisabled(ILogger logger);
}
