using Microsoft.Extensions.Options;

namespace Resolver.Benchmarks;

/// <summary>Options that never change, for building engine parts outside a host.</summary>
internal sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>, IOptions<T>
    where T : class
{
    public T CurrentValue => value;

    public T Value => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
