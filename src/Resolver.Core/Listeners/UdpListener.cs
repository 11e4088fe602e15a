using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Core.Pipeline;

namespace Resolver.Core.Listeners;

/// <summary>
/// UDP on one socket: receive loops on dedicated threads (blocking calls, no thread-pool hop per
/// datagram) that answer cache hits inline with reused buffers, and hand a miss, with its own
/// buffers, to a task that sends when the upstream answers. Loops on one socket share the cap on
/// queries pending upstream.
/// </summary>
internal sealed partial class UdpListener(Socket socket, QueryProcessor processor, DnsServerOptions options, ILogger logger)
{
    private const int MaxQuery = 4096; // far above any real query; larger datagrams are truncated and answered FORMERR
    private readonly int _maxResponse = options.MaxUdpResponseSize; // a UDP answer is never larger
    private int _pending;

    /// <summary>Receives and answers until the socket is closed (that is how the host stops it).</summary>
    public void Run(CancellationToken stoppingToken)
    {
        var query = ArrayPool<byte>.Shared.Rent(MaxQuery);
        var response = ArrayPool<byte>.Shared.Rent(_maxResponse);
        var address = new SocketAddress(socket.AddressFamily);
        var endPointFactory = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var clients = new LastClient();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                int received;
                try
                {
                    received = socket.ReceiveFrom(query, SocketFlags.None, address);
                }
                catch (SocketException e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogReceiveFailed(logger, e.SocketErrorCode);
                    continue;
                }

                var client = clients.Get(address, endPointFactory);
                ValueTask<int> pending;
                try
                {
                    var allowUpstream = Volatile.Read(ref _pending) < options.MaxPendingUdpQueries;
                    pending = processor.ProcessAsync(query.AsMemory(0, received), response.AsMemory(0, _maxResponse), client, DnsTransport.Udp, allowUpstream);
                }
                catch (Exception e)
                {
                    LogQueryFailed(logger, client, e);
                    continue;
                }

                if (pending.IsCompletedSuccessfully)
                {
                    Send(response, pending.Result, address);
                    continue;
                }

                // The answer waits on an upstream: that task now owns these buffers and a copy of the address.
                var replyTo = new SocketAddress(address.Family, address.Size);
                address.Buffer.CopyTo(replyTo.Buffer);
                Interlocked.Increment(ref _pending);
                _ = CompleteAsync(pending, query, response, replyTo, client);
                query = ArrayPool<byte>.Shared.Rent(MaxQuery);
                response = ArrayPool<byte>.Shared.Rent(_maxResponse);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
        {
            // the socket was closed to stop this loop
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private async Task CompleteAsync(ValueTask<int> pending, byte[] query, byte[] response, SocketAddress replyTo, IPAddress client)
    {
        try
        {
            var length = await pending.ConfigureAwait(false);
            Send(response, length, replyTo);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            LogQueryFailed(logger, client, e);
        }
        catch (ObjectDisposedException)
        {
            // stopping: the socket is gone
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    /// <summary>A UDP send does not block for long (the datagram is queued or dropped), so it is done in place.</summary>
    private void Send(byte[] response, int length, SocketAddress to)
    {
        if (length <= 0)
        {
            return;
        }

        try
        {
            socket.SendTo(response.AsSpan(0, length), SocketFlags.None, to);
        }
        catch (SocketException e)
        {
            LogSendFailed(logger, e.SocketErrorCode);
        }
    }

    /// <summary>
    /// Remembers the last client's address so a busy client (a web server's resolver library) does not
    /// cost an IPEndPoint per datagram. The source port is ignored: access control looks at the address.
    /// </summary>
    private sealed class LastClient
    {
        private const int PortOffset = 2;
        private const int PortLength = 2;
        private readonly byte[] _key = new byte[64];
        private int _keyLength = -1;
        private IPAddress _address = IPAddress.None;

        public IPAddress Get(SocketAddress address, IPEndPoint factory)
        {
            var bytes = address.Buffer.Span[..address.Size];
            if (bytes.Length <= _key.Length && bytes.Length == _keyLength
                && bytes[..PortOffset].SequenceEqual(_key.AsSpan(0, PortOffset))
                && bytes[(PortOffset + PortLength)..].SequenceEqual(_key.AsSpan(PortOffset + PortLength, _keyLength - PortOffset - PortLength)))
            {
                return _address;
            }

            _address = ((IPEndPoint)factory.Create(address)).Address;
            if (bytes.Length <= _key.Length)
            {
                bytes.CopyTo(_key);
                _keyLength = bytes.Length;
            }

            return _address;
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "UDP receive failed: {Error}")]
    private static partial void LogReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "UDP send failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Query from {Client} failed")]
    private static partial void LogQueryFailed(ILogger logger, IPAddress client, Exception exception);
}
