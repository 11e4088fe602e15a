using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Core.Pipeline;

namespace Resolver.Core.Listeners;

/// <summary>
/// TCP on one endpoint (RFC 7766): length-prefixed messages, several queries in flight per
/// connection answered in any order, an idle timeout while nothing is in flight, a connection cap.
/// </summary>
internal sealed partial class TcpListener(Socket socket, QueryProcessor processor, AccessControl access, DnsServerOptions options, ILogger logger)
{
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await socket.AcceptAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    LogAcceptFailed(logger, e.SocketErrorCode);
                    continue;
                }

                // Refused clients are turned away at the door, so they cannot hold connection slots.
                if (connection.RemoteEndPoint is not IPEndPoint remote || !access.IsAllowed(remote.Address))
                {
                    connection.Dispose();
                    continue;
                }

                if (Interlocked.Increment(ref _connections) > options.MaxTcpConnections)
                {
                    Interlocked.Decrement(ref _connections);
                    LogTooManyConnections(logger, options.MaxTcpConnections);
                    connection.Dispose();
                    continue;
                }

                _ = ServeAsync(connection, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken stoppingToken)
    {
        var client = ((IPEndPoint)connection.RemoteEndPoint!).Address;
        var stream = new NetworkStream(connection, ownsSocket: true);
        var writeLock = new SemaphoreSlim(1, 1);
        var slots = new SemaphoreSlim(options.MaxTcpQueriesPerConnection, options.MaxTcpQueriesPerConnection);
        var inFlight = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var frame = await ReadFrameAsync(stream, slots, stoppingToken).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }

                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(AnswerAsync(frame, stream, writeLock, slots, client, stoppingToken));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // client went away, sent a broken frame, or we are stopping
        }
        finally
        {
            // Answers still in flight use the stream and the semaphores: let them finish (or fail) first.
            await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await stream.DisposeAsync().ConfigureAwait(false);
            writeLock.Dispose();
            slots.Dispose();
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>
    /// The next query, or null at end of stream, when idle (nothing in flight) past the idle timeout,
    /// or when a frame, once begun, does not arrive whole within that time. The idle timeout only
    /// applies while waiting for a frame's first byte, so a timeout never leaves half a frame read.
    /// </summary>
    private async Task<byte[]?> ReadFrameAsync(NetworkStream stream, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var prefix = new byte[2];
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            idle.CancelAfter(options.TcpIdleTimeout);
            try
            {
                if (await stream.ReadAsync(prefix.AsMemory(0, 1), idle.Token).ConfigureAwait(false) == 0)
                {
                    return null;
                }

                break;
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                if (slots.CurrentCount == options.MaxTcpQueriesPerConnection)
                {
                    return null; // idle: nothing in flight
                }
            }
        }

        using var rest = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        rest.CancelAfter(options.TcpIdleTimeout);
        await stream.ReadExactlyAsync(prefix.AsMemory(1, 1), rest.Token).ConfigureAwait(false);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message, rest.Token).ConfigureAwait(false);
        return message;
    }

    private async Task AnswerAsync(byte[] query, NetworkStream stream, SemaphoreSlim writeLock, SemaphoreSlim slots, IPAddress client, CancellationToken stoppingToken)
    {
        var response = ArrayPool<byte>.Shared.Rent(2 + ushort.MaxValue);
        try
        {
            var length = await processor.ProcessAsync(query, response.AsMemory(2, ushort.MaxValue), client, DnsTransport.Tcp).ConfigureAwait(false);
            if (length <= 0)
            {
                return;
            }

            BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)length);
            await writeLock.WaitAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(response.AsMemory(0, 2 + length), stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                writeLock.Release();
            }
        }
        catch (Exception e) when (e is not (IOException or SocketException or OperationCanceledException))
        {
            LogQueryFailed(logger, client, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(response);
            slots.Release();
        }
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "TCP accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 411, Level = LogLevel.Warning, Message = "TCP connection refused: {Max} connections already open (Dns:MaxTcpConnections)")]
    private static partial void LogTooManyConnections(ILogger logger, int max);

    [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "TCP query from {Client} failed")]
    private static partial void LogQueryFailed(ILogger logger, IPAddress client, Exception exception);
}
