using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Resolver.Benchmarks.Fuzzing;

/// <summary>Counts what the resolver logs at Error or above (an exception that escaped a query), keeping the first few.</summary>
internal sealed class ErrorCounter : ILoggerProvider
{
    private const int Kept = 10;
    private readonly ConcurrentQueue<string> _first = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public IEnumerable<string> First => _first;

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        if (Interlocked.Increment(ref _count) <= Kept)
        {
            _first.Enqueue(line);
        }
    }

    private sealed class Counter(ErrorCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add($"{category}[{eventId.Id}]: {formatter(state, exception)} {exception}");
            }
        }
    }
}
