using Microsoft.Extensions.Options;

namespace Resolver.Core.Cache;

/// <summary>Start-up checks for "Cache"; each message names the key.</summary>
public sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    private const long MinMaxBytes = 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.MaxBytes < MinMaxBytes)
        {
            errors.Add($"Cache:MaxBytes must be at least {MinMaxBytes} (1 MiB) (was {options.MaxBytes}).");
        }

        if (options.MaxEntries < 1)
        {
            errors.Add($"Cache:MaxEntries must be at least 1 (was {options.MaxEntries}).");
        }

        if (options.MinTtl < TimeSpan.Zero || options.MinTtl > options.MaxTtl)
        {
            errors.Add($"Cache:MinTtl must be between 0 and Cache:MaxTtl (was {options.MinTtl}, MaxTtl {options.MaxTtl}).");
        }

        if (options.MaxTtl <= TimeSpan.Zero || options.MaxTtl.TotalSeconds > int.MaxValue)
        {
            errors.Add($"Cache:MaxTtl must be positive and at most 68 years (was {options.MaxTtl}).");
        }

        AddIfNegative(errors, "Cache:MaxNegativeTtl", options.MaxNegativeTtl);
        AddIfNegative(errors, "Cache:ServFailTtl", options.ServFailTtl);
        AddIfNegative(errors, "Cache:StaleAnswerTtl", options.StaleAnswerTtl);
        AddIfNegative(errors, "Cache:MaxStale", options.MaxStale);
        AddIfNegative(errors, "Cache:StaleAnswerTimeout", options.StaleAnswerTimeout);
        AddIfNegative(errors, "Cache:StaleRetryInterval", options.StaleRetryInterval);
        if (options.PrefetchThreshold is < 0 or >= 1)
        {
            errors.Add($"Cache:PrefetchThreshold must be at least 0 and below 1 (was {options.PrefetchThreshold}).");
        }

        // PeriodicTimer takes at most 2^32 - 2 ms (about 49 days).
        if (options.SnapshotInterval <= TimeSpan.Zero || options.SnapshotInterval.TotalMilliseconds > uint.MaxValue - 1)
        {
            errors.Add($"Cache:SnapshotInterval must be positive and at most 49 days (was {options.SnapshotInterval}).");
        }

        if (options.SnapshotPath is { Length: > 0 } path
            && (string.IsNullOrWhiteSpace(path) || Path.EndsInDirectorySeparator(path) || Directory.Exists(path)))
        {
            errors.Add($"Cache:SnapshotPath must name a file, or be empty to disable snapshots (was '{path}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void AddIfNegative(List<string> errors, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            errors.Add($"{key} must not be negative (was {value}).");
        }
    }
}
