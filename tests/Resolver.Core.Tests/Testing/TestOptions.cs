using Microsoft.Extensions.Options;

namespace Resolver.Core.Tests.Testing;

/// <summary>An options monitor over a fixed instance (tests change its properties directly).</summary>
internal sealed class TestOptions<T>(T value) : IOptionsMonitor<T>, IOptions<T>
    where T : class
{
    public T CurrentValue => value;

    public T Value => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
