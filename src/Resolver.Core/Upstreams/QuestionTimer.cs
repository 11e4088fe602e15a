using System.Threading.Tasks.Sources;
using Resolver.Core.Timing;

namespace Resolver.Core.Upstreams;

/// <summary>
/// The one timer and the one wake-up of a question to the upstreams: its retransmit time and its deadline share
/// a single <see cref="ITimer"/>, and the question's loop sleeps on <see cref="WaitAsync"/> until a try ends
/// (<see cref="Watch"/>), the retransmit time comes, or the deadline passes (which also cancels every try).
/// It replaces, per question, a deadline token source with its timer, a linked token source, a
/// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> and a <see cref="Task.WhenAny(Task, Task)"/> per wait.
/// </summary>
/// <remarks>
/// Wake-ups may be spurious (a try that ended while the loop was busy, a timer armed before it was moved):
/// the loop looks at its tries and <see cref="RetransmitDue"/> after each.
/// </remarks>
internal sealed class QuestionTimer : IValueTaskSource, IDisposable
{
    private static readonly TimeSpan MinimumDue = TimeSpan.FromMilliseconds(1);
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _cancel = new();
    private readonly ITimer _timer;
    private readonly long _deadlineAt;
    private readonly CancellationTokenRegistration _caller;
    private readonly Action _signal;
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _wake; // continuations run where the wake-up happened, as an answer's do
    private bool _waiting;
    private bool _pending;
    private long _retransmitAt = long.MaxValue;
    private bool _retransmitDue;
    private volatile bool _deadlinePassed;
    private bool _disposed;

    public QuestionTimer(TimeProvider time, TimeSpan deadline, CancellationToken cancellationToken)
    {
        _time = time;
        _deadlineAt = time.TimestampAfter(deadline);
        _signal = Signal;
        lock (_lock) // a callback (one that came early) re-arms the timer under the lock: it waits until the field is set
        {
            _timer = time.CreateTimer(static state => ((QuestionTimer)state!).OnTimer(), this, deadline, Timeout.InfiniteTimeSpan);
        }

        _caller = cancellationToken.UnsafeRegister(static state => ((QuestionTimer)state!).Cancel(), this);
    }

    /// <summary>Cancelled when the question ends: answered, past its deadline, or given up by the caller.</summary>
    public CancellationToken Token => _cancel.Token;

    public bool IsCancellationRequested => _cancel.IsCancellationRequested;

    /// <summary>Set before the tries are cancelled at the deadline: a try cut off by it was a silent server's.</summary>
    public bool DeadlinePassed => _deadlinePassed;

    /// <summary>The retransmit time set by <see cref="Arm"/> has come.</summary>
    public bool RetransmitDue
    {
        get
        {
            lock (_lock)
            {
                return _retransmitDue;
            }
        }
    }

    /// <summary>Wakes the question when <paramref name="attempt"/> ends, or now if it has (a continuation on a finished task would go through the thread pool).</summary>
    public void Watch(Task attempt)
    {
        if (attempt.IsCompleted)
        {
            Signal();
            return;
        }

        attempt.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_signal);
    }

    /// <summary>Sets the retransmit time <paramref name="wait"/> from now (none when null); the deadline stands either way.</summary>
    public void Arm(TimeSpan? wait)
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            _retransmitDue = false;
            _retransmitAt = wait is { } w ? now + _time.ToTimestampDelta(w) : long.MaxValue;
            SetTimer(now);
        }
    }

    /// <summary>Completes when a watched try ends or the timer fires, at once if either happened since the last wait.</summary>
    public ValueTask WaitAsync()
    {
        lock (_lock)
        {
            if (_pending)
            {
                _pending = false;
                return ValueTask.CompletedTask;
            }

            _wake.Reset();
            _waiting = true;
            return new ValueTask(this, _wake.Version);
        }
    }

    /// <summary>Ends every try still out, in place (CancelAsync would move them, and the question, to a thread-pool worker).</summary>
    public void Cancel()
    {
#pragma warning disable CA1849 // the callbacks are cheap and none blocks
        _cancel.Cancel();
#pragma warning restore CA1849
    }

    public void Dispose()
    {
        _caller.Dispose();
        lock (_lock)
        {
            _disposed = true; // a timer callback under way leaves the timer and the token source alone
        }

        _timer.Dispose();
        _cancel.Dispose();
    }

    void IValueTaskSource.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);

    private void OnTimer()
    {
        var now = _time.GetTimestamp();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (now >= _deadlineAt)
            {
                _deadlinePassed = true;
            }
            else if (now >= _retransmitAt)
            {
                _retransmitDue = true;
            }
            else
            {
                SetTimer(now); // early (the timer counts whole milliseconds), or armed for a time since moved
                return;
            }
        }

        if (_deadlinePassed)
        {
            try
            {
                Cancel();
            }
            catch (ObjectDisposedException)
            {
                // disposed since the check above: the question is over anyway
            }
        }

        Signal();
    }

    /// <summary>Under the lock: the timer at the retransmit time or the deadline, whichever comes first.</summary>
    private void SetTimer(long now)
    {
        if (_deadlinePassed)
        {
            return;
        }

        var due = _time.GetElapsedTime(now, Math.Min(_retransmitAt, _deadlineAt));
        _timer.Change(due > MinimumDue ? due : MinimumDue, Timeout.InfiniteTimeSpan);
    }

    private void Signal()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                _pending = true;
                return;
            }

            _waiting = false;
        }

        _wake.SetResult(true);
    }
}
