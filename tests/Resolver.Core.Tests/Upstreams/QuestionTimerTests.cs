using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Upstreams;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>A question's one timer: the retransmit time, the deadline, and the wake-up when a try ends.</summary>
public sealed class QuestionTimerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task The_retransmit_time_wakes_the_question_when_it_comes_and_not_before()
    {
        using var question = new QuestionTimer(_time, TimeSpan.FromSeconds(4), CancellationToken.None);
        question.Arm(TimeSpan.FromMilliseconds(300));
        var wait = question.WaitAsync().AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(question.RetransmitDue);
        Assert.False(question.IsCancellationRequested);

        question.Arm(TimeSpan.FromMilliseconds(300)); // armed again: no longer due until the new time
        Assert.False(question.RetransmitDue);
    }

    [Fact]
    public async Task A_retransmit_time_moved_later_does_not_fire_at_the_old_one()
    {
        using var question = new QuestionTimer(_time, TimeSpan.FromSeconds(4), CancellationToken.None);
        question.Arm(TimeSpan.FromMilliseconds(100));
        question.Arm(TimeSpan.FromMilliseconds(500));
        var wait = question.WaitAsync().AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(question.RetransmitDue);
    }

    [Fact]
    public async Task The_deadline_cancels_every_try_and_wakes_the_question_even_with_no_retransmit_armed()
    {
        using var question = new QuestionTimer(_time, TimeSpan.FromSeconds(2), CancellationToken.None);
        question.Arm(wait: null);
        var wait = question.WaitAsync().AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(1_999));
        Assert.False(question.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(question.Token.IsCancellationRequested);
        Assert.True(question.DeadlinePassed);
        Assert.False(question.RetransmitDue);
    }

    [Fact]
    public async Task The_deadline_comes_first_when_the_retransmit_time_lies_beyond_it()
    {
        using var question = new QuestionTimer(_time, TimeSpan.FromMilliseconds(500), CancellationToken.None);
        question.Arm(TimeSpan.FromSeconds(1));
        var wait = question.WaitAsync().AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(500));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(question.DeadlinePassed);
    }

    [Fact]
    public async Task A_watched_try_that_ends_wakes_the_question_and_one_that_ended_before_the_wait_is_not_missed()
    {
        using var question = new QuestionTimer(_time, TimeSpan.FromSeconds(4), CancellationToken.None);
        question.Arm(TimeSpan.FromSeconds(1));
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        question.Watch(first.Task);
        question.Watch(second.Task);

        var wait = question.WaitAsync().AsTask();
        Assert.False(wait.IsCompleted);
        first.SetResult();
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(question.RetransmitDue);

        second.SetResult(); // while the question is not waiting
        // Not missed: the next wait ends. (Its wake-up may come a moment later: with xUnit's synchronization context on
        // this thread, the task runs the watcher's continuation on the thread pool, not inline.)
        await question.WaitAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_try_that_ended_before_it_was_watched_wakes_the_question_at_once_on_this_thread()
    {
        using var question = new QuestionTimer(_time, TimeSpan.FromSeconds(4), CancellationToken.None);
        question.Arm(TimeSpan.FromSeconds(1));

        question.Watch(Task.CompletedTask);

        Assert.True(question.WaitAsync().IsCompleted); // not by a thread-pool work item some time later
    }

    [Fact]
    public void The_callers_cancellation_cancels_the_tries_but_is_no_deadline()
    {
        using var caller = new CancellationTokenSource();
        using var question = new QuestionTimer(_time, TimeSpan.FromSeconds(4), caller.Token);

        caller.Cancel();

        Assert.True(question.Token.IsCancellationRequested);
        Assert.False(question.DeadlinePassed);
    }

    [Fact]
    public void Time_passing_after_the_question_is_disposed_touches_nothing()
    {
        var question = new QuestionTimer(_time, TimeSpan.FromSeconds(1), CancellationToken.None);
        question.Arm(TimeSpan.FromMilliseconds(100));
        question.Dispose();

        _time.Advance(TimeSpan.FromSeconds(2)); // past both times: no callback may reach the disposed token source

        Assert.False(question.DeadlinePassed);
    }
}
