using Microsoft.Extensions.Options;

namespace Resolver.Core.Watch;

/// <summary>Start-up checks for "Watch"; each message names the key.</summary>
public sealed class WatchOptionsValidator : IValidateOptions<WatchOptions>
{
    public ValidateOptionsResult Validate(string? name, WatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Names.Count; i++)
        {
            var entry = options.Names[i];
            var key = $"Watch:Names:{i}:";
            if (entry is null)
            {
                errors.Add($"Watch:Names:{i} is empty.");
                continue;
            }

            if (WatchRule.TryCreate(entry.Name, entry.Subtree, entry.Hold, entry.ProbeInterval, key, errors) is { } rule && !seen.Add(rule.Name.ToString()))
            {
                errors.Add($"{key}Name: '{entry.Name}' is watched twice; give each name once.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
