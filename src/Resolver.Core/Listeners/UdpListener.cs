using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Core.Pipeline;

namespace Resolver.Core.Listeners;

/// <summary>
/// UDP on one socket: receive loops (several may run on one instance) that answer cache hits inline
/// (buffers reused) and hand a miss, with its own buffers, to a task that sends when the upstream
/// answers. The loops share the cap on queries pending upstream.
/// </summary>
internal sealed partial class UdpListener(Socket socket, QueryProcessor processor, DnsServerOptions options, ILogger logger)
{
    private const int MaxQuery = 4096; // far above any real query; larger datagrams are truncated and answered FORMERR
    private readonly int _maxResponse = options.MaxUdpResponseSize; // a UDP answer is never larger
    private int _pending;

    public async Task RunAsync(CancellationToken stoppingToken)
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
                    received = await socket.ReceiveFromAsync(query, SocketFlags.None, address, stoppingToken).ConfigureAwait(false);
                }
                catch (SocketException e)
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
                    await SendAsync(response, pending.Result, address, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                // The answer waits on an upstream: that task now owns these buffers and a copy of the address.
                var replyTo = new SocketAddress(address.Family, address.Size);
                address.Buffer.CopyTo(replyTo.Buffer);
                Interlocked.Increment(ref _pending);
                _ = CompleteAsync(pending, query, response, replyTo, client, stoppingToken);
                query = ArrayPool<byte>.Shared.Rent(MaxQuery);
                response = ArrayPool<byte>.Shared.Rent(_maxResponse);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private async Task CompleteAsync(ValueTask<int> pending, byte[] query, byte[] response, SocketAddress replyTo, IPAddress client, CancellationToken stoppingToken)
    {
        try
        {
            var length = await pending.ConfigureAwait(false);
            await SendAsync(response, length, replyTo, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogQueryFailed(logger, client, e);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            ArrayPool<byte>.Shared.Return(query);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    private async ValueTask SendAsync(byte[] response, int length, SocketAddress to, CancellationToken stoppingToken)
    {
        if (length <= 0)
        {
            return;
        }

        try
        {
            await socket.SendToAsync(response.AsMemory(0, length), SocketFlags.None, to, stoppingToken).ConfigureAwait(false);
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
