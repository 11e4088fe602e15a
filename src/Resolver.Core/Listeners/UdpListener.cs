using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Core.Pipeline;
using Resolver.Core.Polling;

namespace Resolver.Core.Listeners;

/// <summary>
/// UDP on one socket: receive loops on dedicated threads (no thread-pool hop per datagram) that answer cache hits
/// inline with reused buffers, and hand a miss, with its own buffers, to a task that sends when the upstream
/// answers. On Linux each thread runs a <see cref="PollLoop"/> over its client socket and the upstream sockets its
/// misses go out on, several datagrams per call (<see cref="DatagramBatch"/>), so a miss is answered on the thread
/// that received it, with that turn's other answers. Every listener shares one cap on queries pending upstream.
/// </summary>
internal sealed partial class UdpListener(Socket socket, QueryProcessor processor, PendingQueries pending, DnsServerOptions options, ILogger logger, CancellationToken stopAccepting)
{
    private const int MaxQuery = 4096; // far above any real query; larger datagrams are truncated and answered FORMERR
    private const int MaxShelved = 1024; // buffers kept per size for misses: 6 MB at most
    private readonly int _maxResponse = options.MaxUdpResponseSize; // a UDP answer is never larger
    private readonly BufferShelf _queries = new(MaxQuery, MaxShelved);
    private readonly BufferShelf _responses = new(options.MaxUdpResponseSize, MaxShelved);

    /// <summary>
    /// Receives and answers until <paramref name="stoppingToken"/> (the socket is closed then too). From the time the
    /// listener stops accepting, queries are read and dropped while the answers to those in flight still go out.
    /// </summary>
    public void Run(CancellationToken stoppingToken)
    {
        var receiver = new Receiver(socket.AddressFamily, _queries, _responses);
        try
        {
            if (PollLoop.IsSupported)
            {
                RunPolled(receiver, stoppingToken);
            }
            else
            {
                RunSingly(receiver, stoppingToken);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
        {
            // the socket was closed to stop this loop
        }
        finally
        {
            receiver.Return();
        }
    }

    /// <summary>One query per receive call, its cached answer sent at once.</summary>
    private void RunSingly(Receiver receiver, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(receiver.Query, SocketFlags.None, receiver.Address);
            }
            catch (SocketException e) when (!stoppingToken.IsCancellationRequested)
            {
                LogReceiveFailed(logger, e.Message);
                continue;
            }

            Send(receiver.Response, Answer(receiver, received), receiver.Address);
        }
    }

    /// <summary>
    /// Answers the query in the receiver's buffer: the answer's length when it is ready now (a cache hit, in the
    /// receiver's response buffer), else 0: nothing to send, or the question waits on an upstream, in which case
    /// a task takes the buffers (the receiver gets new ones) and sends when the answer comes.
    /// </summary>
    private int Answer(Receiver receiver, int received)
    {
        if (stopAccepting.IsCancellationRequested)
        {
            return 0;
        }

        var client = receiver.Client();
        ValueTask<int> processing;
        try
        {
            processing = processor.ProcessAsync(receiver.Query.AsMemory(0, received), receiver.Response.AsMemory(0, _maxResponse), client, DnsTransport.Udp, pending.HasRoom);
        }
        catch (Exception e)
        {
            LogQueryFailed(logger, client, e);
            return 0;
        }

        if (processing.IsCompletedSuccessfully)
        {
            return processing.Result;
        }

        var address = receiver.Address;
        var replyTo = new SocketAddress(address.Family, address.Size);
        address.Buffer.CopyTo(replyTo.Buffer);
        pending.Enter();
        _ = CompleteAsync(processing, receiver, receiver.Query, receiver.Response, replyTo, client);
        receiver.Renew();
        return 0;
    }

    private async Task CompleteAsync(ValueTask<int> processing, Receiver receiver, byte[] query, byte[] response, SocketAddress replyTo, IPAddress client)
    {
        try
        {
            var length = await processing.ConfigureAwait(false);
            if (receiver.Loop is { IsCurrent: true } && length > 0)
            {
                Queue(receiver.Batch!, response.AsSpan(0, length), replyTo.Buffer.Span[..replyTo.Size]); // leaves with the turn's other answers
            }
            else
            {
                Send(response, length, replyTo);
            }
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
            pending.Exit();
            _queries.Put(query);
            _responses.Put(response);
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
            LogSendFailed(logger, e.Message);
        }
    }

    /// <summary>One receive thread's buffers and the address of the datagram in hand.</summary>
    private sealed class Receiver(AddressFamily family, BufferShelf queries, BufferShelf responses)
    {
        private readonly IPEndPoint _endPointFactory = family == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        private readonly LastClient _clients = new();

        public byte[] Query { get; private set; } = queries.Take();

        public byte[] Response { get; private set; } = responses.Take();

        public SocketAddress Address { get; } = new(family);

        /// <summary>The loop of this receive thread and the batch its answers leave in (Linux), else null.</summary>
        public PollLoop? Loop { get; private set; }

        public DatagramBatch? Batch { get; private set; }

        public void Poll(PollLoop? loop, DatagramBatch? batch)
        {
            Loop = loop;
            Batch = batch;
        }

        public IPAddress Client() => _clients.Get(Address, _endPointFactory);

        /// <summary>Takes the sender as the kernel wrote it (a sockaddr, the layout <see cref="SocketAddress"/> holds).</summary>
        public void SetAddress(ReadOnlySpan<byte> sockaddr)
        {
            var length = Math.Min(sockaddr.Length, Address.Buffer.Length);
            sockaddr[..length].CopyTo(Address.Buffer.Span);
            Address.Size = length;
        }

        /// <summary>New buffers: the old ones went with a query that waits on an upstream.</summary>
        public void Renew()
        {
            Query = queries.Take();
            Response = responses.Take();
        }

        public void Return()
        {
            queries.Put(Query);
            responses.Put(Response);
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
    private static partial void LogReceiveFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "UDP send failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Query from {Client} failed")]
    private static partial void LogQueryFailed(ILogger logger, IPAddress client, Exception exception);
}
