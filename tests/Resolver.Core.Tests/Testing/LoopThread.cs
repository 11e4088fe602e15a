using Resolver.Core.Polling;

namespace Resolver.Core.Tests.Testing;

/// <summary>A thread running a <see cref="PollLoop"/>, as a UDP listener's receive thread does, for work started on it.</summary>
internal sealed class LoopThread : IDisposable
{
    private static readonly TimeSpan Turn = TimeSpan.FromMilliseconds(10);
    private readonly Thread _thread;
    private volatile bool _stopping;

    public LoopThread()
    {
        using var started = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            using var loop = new PollLoop();
            Loop = loop;
            started.Set();
            while (!_stopping)
            {
                loop.RunOnce(Turn);
            }
        })
        { IsBackground = true, Name = "test poll loop" };
        _thread.Start();
        started.Wait();
    }

    public PollLoop Loop { get; private set; } = null!;

    /// <summary>Starts <paramref name="work"/> on the loop's thread; the result also says on which loop it ended (null: another thread).</summary>
    public Task<(T Result, PollLoop? EndedOn)> RunAsync<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<(T, PollLoop?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop.Post(async () =>
        {
            try
            {
                var result = await work().ConfigureAwait(false);
                done.SetResult((result, PollLoop.Current));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
    }
}
