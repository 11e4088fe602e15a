using System.Net;
using System.Net.Sockets;
using Resolver.Core.Polling;

namespace Resolver.Core.Tests.Polling;

/// <summary>The per-thread epoll loop over real loopback sockets (Linux; elsewhere it is not used).</summary>
public class PollLoopTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public void ASocketWithADatagram_CallsItsReader_UntilTheDatagramIsRead()
    {
        Assert.Equal(OperatingSystem.IsLinux() && Environment.Is64BitProcess, PollLoop.IsSupported);
        if (!PollLoop.IsSupported)
        {
            return;
        }

        using var loop = new PollLoop();
        using var socket = Bound();
        var reader = new CountingReader();
        loop.Add(socket.SafeHandle, reader);
        SendTo(socket);

        var first = loop.RunOnce(Wait);
        var second = loop.RunOnce(TimeSpan.Zero); // not read yet: level-triggered, it is reported again
        socket.Receive(new byte[16]);
        var third = loop.RunOnce(TimeSpan.Zero);

        Assert.Equal((1, 1, 0), (first, second, third));
        Assert.Equal(2, reader.Readable);
    }

    [Fact]
    public void ARemovedSocket_IsNoLongerReported()
    {
        if (!PollLoop.IsSupported)
        {
            return;
        }

        using var loop = new PollLoop();
        using var removed = Bound();
        using var kept = Bound();
        var removedReader = new CountingReader();
        var keptReader = new CountingReader();
        var slot = loop.Add(removed.SafeHandle, removedReader);
        loop.Add(kept.SafeHandle, keptReader);
        loop.Remove(slot, removed.SafeHandle);
        SendTo(removed);
        SendTo(kept);

        loop.RunOnce(Wait);

        Assert.Equal((0, 1), (removedReader.Readable, keptReader.Readable));
    }

    [Fact]
    public async Task TheLoop_IsItsThreadsCurrentOnly_AndPostedWorkRunsOnIt()
    {
        if (!PollLoop.IsSupported)
        {
            return;
        }

        using var thread = new Testing.LoopThread();
        var ranOn = new TaskCompletionSource<PollLoop?>(TaskCreationOptions.RunContinuationsAsynchronously);

        thread.Loop.Post(() => ranOn.SetResult(PollLoop.Current));

        Assert.Same(thread.Loop, await ranOn.Task.WaitAsync(Wait));
        Assert.Null(PollLoop.Current);
        Assert.False(thread.Loop.IsCurrent);
    }

    [Fact]
    public void Closing_TellsTheReadersStillWatched_AndWorkPostedAfterwardsRunsAtOnce()
    {
        if (!PollLoop.IsSupported)
        {
            return;
        }

        var loop = new PollLoop();
        using var socket = Bound();
        var reader = new CountingReader();
        loop.Add(socket.SafeHandle, reader);

        loop.Dispose();
        var ran = false;
        loop.Post(() => ran = true);

        Assert.Equal(1, reader.Closed);
        Assert.True(ran);
        Assert.True(loop.IsClosed);
        Assert.Null(PollLoop.Current);
    }

    [Fact]
    public void WorkHeldForTheTurnsEnd_RunsOnceAfterTheReaders_AndAfterThePostedWork()
    {
        if (!PollLoop.IsSupported)
        {
            return;
        }

        using var loop = new PollLoop();
        using var socket = Bound();
        var order = new List<string>();
        loop.Add(socket.SafeHandle, new CountingReader(() => order.Add("read")));
        loop.AtTurnEnd(new HeldWork(() => order.Add("held")));
        loop.Post(() => order.Add("posted"));
        SendTo(socket);

        loop.RunOnce(Wait);
        socket.Receive(new byte[16]);
        loop.RunOnce(TimeSpan.Zero);
        loop.AtTurnEnd(new HeldWork(() => order.Add("held by an owner that waited elsewhere")));
        loop.FinishTurn();

        Assert.Equal(["read", "posted", "held", "held by an owner that waited elsewhere"], order);
    }

    [Fact]
    public void AwaitedReads_AreCounted_UntilTheyArriveOrAreGivenUp()
    {
        if (!PollLoop.IsSupported)
        {
            return;
        }

        using var loop = new PollLoop();
        loop.Await();
        loop.Await();
        var both = loop.IsAwaited;
        loop.Arrived();
        var one = loop.IsAwaited;
        loop.Arrived();

        Assert.Equal((true, true, false), (both, one, loop.IsAwaited));
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static void SendTo(Socket target)
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sender.SendTo(new byte[] { 1, 2, 3 }, target.LocalEndPoint!);
    }

    private sealed class CountingReader(Action? onReadable = null) : IReadable
    {
        public int Readable { get; private set; }

        public int Closed { get; private set; }

        public void OnReadable()
        {
            Readable++;
            onReadable?.Invoke();
        }

        public void OnLoopClosed() => Closed++;
    }

    private sealed class HeldWork(Action work) : ITurnEnd
    {
        public void OnTurnEnd() => work();
    }
}
