using System.Net.Sockets;
using System.Runtime.InteropServices;
using Resolver.Core.Polling;

namespace Resolver.Core.Listeners;

internal sealed partial class UdpListener
{
    private static readonly TimeSpan StopCheck = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Linux: one <see cref="PollLoop"/> per receive thread. Each turn takes up to <see cref="DatagramBatch.Capacity"/>
    /// queries when the client socket has some, and the answers of the upstream sockets that have them (their misses
    /// complete right here); at the turn's end its upstream queries leave back to back, and its answers, cached and
    /// fetched, in one send call. While no
    /// upstream answer is awaited (every query a cache hit), a turn blocks in the receive call itself instead, one
    /// call fewer per turn. Either wait ends every <see cref="StopCheck"/> to see whether the host is stopping.
    /// </summary>
    private void RunPolled(Receiver receiver, CancellationToken stoppingToken)
    {
        using var batch = new DatagramBatch(MaxQuery, _maxResponse);
        using var loop = new PollLoop();
        SetReceiveTimeout(StopCheck);
        loop.Add(socket.SafeHandle, new ClientSocket(this, receiver, stoppingToken));
        receiver.Poll(loop, batch);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (loop.IsAwaited)
                {
                    Turn(loop, stoppingToken);
                }
                else
                {
                    ReceiveBatch(receiver, wait: true, stoppingToken);
                    loop.FinishTurn();
                }

                Flush(batch);
            }
        }
        finally
        {
            receiver.Poll(null, null);
        }
    }

    /// <summary>One turn of the loop; a failed wait is logged and the next turn tries again, as a failed receive is.</summary>
    private void Turn(PollLoop loop, CancellationToken stoppingToken)
    {
        try
        {
            loop.RunOnce(StopCheck);
        }
        catch (SocketException e) when (!stoppingToken.IsCancellationRequested)
        {
            LogReceiveFailed(logger, e.Message);
        }
    }

    /// <summary>Takes the queries waiting on the client socket and answers them; cached answers join the turn's batch.</summary>
    private void ReceiveBatch(Receiver receiver, bool wait, CancellationToken stoppingToken)
    {
        var batch = receiver.Batch!;
        int count;
        try
        {
            count = batch.Receive(socket.SafeHandle, wait);
        }
        catch (SocketException e) when (!stoppingToken.IsCancellationRequested)
        {
            LogReceiveFailed(logger, e.Message);
            return;
        }

        for (var i = 0; i < count && !stoppingToken.IsCancellationRequested; i++)
        {
            var sender = batch.Sender(i);
            if (sender.IsEmpty)
            {
                continue; // no sender: the socket was shut down
            }

            var datagram = batch.Datagram(i);
            datagram.CopyTo(receiver.Query);
            receiver.SetAddress(sender);
            var length = Answer(receiver, datagram.Length);
            if (length > 0)
            {
                Queue(batch, receiver.Response.AsSpan(0, length), sender);
            }
        }
    }

    /// <summary>Queues an answer for the end of the turn, sending the batch first when it is full.</summary>
    private void Queue(DatagramBatch batch, ReadOnlySpan<byte> answer, ReadOnlySpan<byte> to)
    {
        if (batch.IsFull)
        {
            Flush(batch);
        }

        batch.Queue(to, answer);
    }

    private void Flush(DatagramBatch batch)
    {
        if (batch.Send(socket.SafeHandle) is { } error)
        {
            LogSendFailed(logger, error);
        }
    }

    /// <summary>SO_RCVTIMEO, so a receive blocked in the kernel returns now and then (closing the socket does not wake it).</summary>
    private void SetReceiveTimeout(TimeSpan timeout)
    {
        const int SolSocket = 1;
        const int SoRcvTimeo = 20;
        Span<long> timeval = [(long)timeout.TotalSeconds, timeout.Microseconds + (timeout.Milliseconds * 1000L)];
        socket.SetRawSocketOption(SolSocket, SoRcvTimeo, MemoryMarshal.AsBytes(timeval));
    }

    /// <summary>The listening socket as its loop sees it.</summary>
    private sealed class ClientSocket(UdpListener listener, Receiver receiver, CancellationToken stoppingToken) : IReadable
    {
        public void OnReadable() => listener.ReceiveBatch(receiver, wait: false, stoppingToken);

        public void OnLoopClosed()
        {
            // the listener closes its own socket
        }
    }
}
