using System.Runtime.InteropServices;
using Resolver.Core.Hosting;
using Resolver.Core.Telemetry;

namespace Resolver.Hosting;

/// <summary>
/// Takes a changed configuration file without a restart, on SIGHUP and when the file changes (a burst of writes is
/// taken once; the file is looked at every <see cref="PollInterval"/>). The new file is parsed and checked as at start-up, apart from the running resolver; only a file
/// that passes is applied, and then all at once. An invalid one is logged with each key and reason, and the last
/// good configuration stays. What follows a reload: upstreams and forwarders, access control, local records, rate
/// limits, watched names and the other settings read per query; listen addresses and sizes fixed at start need a restart.
/// </summary>
internal sealed partial class ConfigurationReloader : BackgroundService
{
    /// <summary>How often the file's size and write time are looked at: one stat a second.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(300);
    private readonly ReloadableJsonSource _source;
    private readonly string[] _commandLine;
    private readonly ResolverMetrics _metrics;
    private readonly ILogger<ConfigurationReloader> _logger;
    private readonly SemaphoreSlim _requests = new(0, 1);
    private PosixSignalRegistration? _hangup;
    private readonly Lock _polling = new(); // timer callbacks may overlap when a stat is slow
    private ITimer? _poll;
    private FileStamp _stamp;

    public ConfigurationReloader(ReloadableJsonSource source, ReloadArguments arguments, ResolverMetrics metrics, ILogger<ConfigurationReloader> logger)
    {
        _source = source;
        _commandLine = arguments.CommandLine;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Asks for a reload (SIGHUP, a file change, a test); requests that come while one is pending are one.</summary>
    public void Request()
    {
        try
        {
            _requests.Release();
        }
        catch (SemaphoreFullException)
        {
            // one is pending already
        }
    }

    /// <summary>Reads, checks and applies the file now; true when it was applied.</summary>
    public bool Reload()
    {
        Dictionary<string, string?> settings;
        try
        {
            settings = ReloadableJsonSource.Read(_source.Path);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            LogRejected(_logger, _source.Path, reason);
            _metrics.ConfigurationReloaded(applied: false);
            return false;
        }

        // The same layers as at start: the file, then the environment and the command line over it.
        var candidate = new ConfigurationBuilder()
            .AddInMemoryCollection(settings)
            .AddEnvironmentVariables()
            .AddCommandLine(_commandLine)
            .Build();
        var errors = ResolverCoreServices.Validate(candidate);
        if (errors.Count > 0)
        {
            LogRejected(_logger, _source.Path, string.Join("; ", errors));
            _metrics.ConfigurationReloaded(applied: false);
            return false;
        }

        _source.Provider!.Replace(settings);
        LogApplied(_logger, _source.Path);
        _metrics.ConfigurationReloaded(applied: true);
        return true;
    }

    /// <summary>Listens for SIGHUP and file changes from here on (ExecuteAsync begins later, on the thread pool).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _hangup = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup);
        _stamp = FileStamp.Of(_source.Path);
        _poll = TimeProvider.System.CreateTimer(static state => ((ConfigurationReloader)state!).Poll(), this, PollInterval, PollInterval);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _requests.WaitAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(s_settle, stoppingToken).ConfigureAwait(false); // an editor's save is several writes
                if (_requests.CurrentCount > 0)
                {
                    await _requests.WaitAsync(stoppingToken).ConfigureAwait(false);
                }

                Reload();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _hangup?.Dispose();
        _poll?.Dispose();
        _requests.Dispose();
        base.Dispose();
    }

    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true; // SIGHUP would otherwise end the process
        LogSignal(_logger);
        Request();
    }

    /// <summary>
    /// Asks for a reload when the file's stamp has changed: written in place, or a new file renamed over it (as editors
    /// save). Polled, not a FileSystemWatcher: that watches the whole folder, and its thread woke for every write to any
    /// file there (dnsperf's output next to the load harness's configuration cost a third of a cached answer's CPU).
    /// </summary>
    private void Poll()
    {
        var stamp = FileStamp.Of(_source.Path);
        lock (_polling)
        {
            if (stamp == _stamp)
            {
                return;
            }

            _stamp = stamp;
        }

        Request();
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Configuration reloaded from {Path}")]
    private static partial void LogApplied(ILogger logger, string path);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Configuration in {Path} not reloaded, the running configuration stays: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "SIGHUP: reloading the configuration")]
    private static partial void LogSignal(ILogger logger);
}

/// <summary>What tells that the configuration file changed: its size and last write time (the new file's, after a rename over it), or that it is gone.</summary>
internal readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
{
    public static FileStamp Of(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new FileStamp(true, file.Length, file.LastWriteTimeUtc) : default;
    }
}

/// <summary>The command-line arguments the configuration was built with (they stay over the file on each reload).</summary>
internal sealed record ReloadArguments(string[] CommandLine);
