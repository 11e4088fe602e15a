using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>The UDP and TCP loops. They never throw: anything unexpected drops the message and serving goes on.</summary>
internal sealed partial class FakeUpstream
{
    private const int MaxMessageSize = ushort.MaxValue;

    private async Task RunUdpAsync(CancellationToken stopping)
    {
        var buffer = new byte[MaxMessageSize];
        EndPoint anyRemote = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, anyRemote, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // E.g. an ICMP port unreachable reported on the next receive; keep serving.
                continue;
            }

            var datagram = buffer.AsSpan(0, result.ReceivedBytes).ToArray();
            var from = (IPEndPoint)result.RemoteEndPoint;
            _ = Task.Run(() => ServeDatagramAsync(datagram, from, stopping), CancellationToken.None);
        }
    }

    private async Task ServeDatagramAsync(byte[] datagram, IPEndPoint from, CancellationToken stopping)
    {
        try
        {
            Interlocked.Increment(ref _udpQueries);
            var reply = await HandleAsync(datagram, from, overTcp: false, stopping).ConfigureAwait(false);
            if (reply is not null && Responder is null && Behavior == FakeBehavior.WrongSource)
            {
                using var elsewhere = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                elsewhere.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                await elsewhere.SendToAsync(reply, SocketFlags.None, from, stopping).ConfigureAwait(false);
            }
            else if (reply is not null)
            {
                await _udp.SendToAsync(reply, SocketFlags.None, from, stopping).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or the client went away: nothing to do.
        }
    }

    private async Task RunTcpAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _connections.TryAdd(client, 0);
            _ = Task.Run(() => ServeConnectionAsync(client, stopping), CancellationToken.None);
        }
    }

    /// <summary>
    /// RFC 7766: length-prefixed messages, read one after another until the client closes, each answered as soon
    /// as it is ready (so a slow one does not hold up the rest: answers may leave out of order, as RFC 7766 §6.2.1.1 allows).
    /// </summary>
    private async Task ServeConnectionAsync(Socket client, CancellationToken stopping)
    {
        Interlocked.Increment(ref _tcpConnections);
        var stream = new NetworkStream(client, ownsSocket: true);
        using var writing = new SemaphoreSlim(1, 1);
        var answering = new List<Task>();
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                var from = (IPEndPoint)client.RemoteEndPoint!;
                var prefix = new byte[2];
                while (!stopping.IsCancellationRequested)
                {
                    var read = await stream.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, stopping).ConfigureAwait(false);
                    if (read < 2)
                    {
                        break;
                    }

                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    await stream.ReadExactlyAsync(query, stopping).ConfigureAwait(false);
                    Interlocked.Increment(ref _tcpQueries);
                    if (Responder is null && Behavior == FakeBehavior.TruncateThenReset)
                    {
                        client.LingerState = new LingerOption(true, 0); // closing now sends RST
                        return;
                    }

                    var answer = AnswerOverTcpAsync(stream, writing, query, from, stopping);
                    answering.Add(answer);
                    if (ClosesAfterAnswer)
                    {
                        await answer.ConfigureAwait(false);
                        break;
                    }
                }

                await Task.WhenAll(answering).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or SocketException)
            {
                // Stopping, a short read, or the client reset the connection.
            }
            finally
            {
                _connections.TryRemove(client, out _);
            }
        }
    }

    private async Task AnswerOverTcpAsync(NetworkStream stream, SemaphoreSlim writing, byte[] query, IPEndPoint from, CancellationToken stopping)
    {
        var reply = await HandleAsync(query, from, overTcp: true, stopping).ConfigureAwait(false);
        if (reply is null)
        {
            return;
        }

        var framed = new byte[reply.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
        reply.CopyTo(framed, 2);
        await writing.WaitAsync(stopping).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(framed, stopping).ConfigureAwait(false);
        }
        finally
        {
            writing.Release();
        }
    }
}
