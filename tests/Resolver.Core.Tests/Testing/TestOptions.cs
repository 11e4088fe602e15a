using Microsoft.Extensions.Options;

namespace Resolver.Core.Tests.Testing;

/// <summary>An options monitor over an instance tests change directly, or replace (<see cref="Reload"/>) as a configuration reload would.</summary>
internal sealed class TestOptions<T>(T value) : IOptionsMonitor<T>, IOptions<T>
    where T : class
{
    private readonly List<Action<T, string?>> _listeners = [];
    private T _value = value;

    public T CurrentValue => _value;

    public T Value => _value;

    public T Get(string? name) => _value;

    public IDisposable? OnChange(Action<T, string?> listener)
    {
        _listeners.Add(listener);
        return null;
    }

    /// <summary>Takes <paramref name="next"/> and tells the listeners, as IOptionsMonitor does after a reload.</summary>
    public void Reload(T next)
    {
        _value = next;
        foreach (var listener in _listeners)
        {
            listener(next, Options.DefaultName);
        }
    }
}
