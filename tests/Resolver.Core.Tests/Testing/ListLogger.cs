using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Resolver.Core.Tests.Testing;

/// <summary>Keeps what a component logs (level, event id, formatted text), for assertions on warnings.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue(new LogLine(logLevel, eventId.Id, formatter(state, exception)));
}

internal sealed record LogLine(LogLevel Level, int EventId, string Message);
