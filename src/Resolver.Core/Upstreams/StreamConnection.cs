using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;

namespace Resolver.Core.Upstreams;

/// <summary>
/// One persistent TCP or DNS-over-TLS connection to an upstream (RFC 7766 §6.2.1, RFC 7858 §3.4): queries are
/// written as they come (pipelined, under a write lock) and answers matched to them by ID in whatever order they
/// arrive, by one reading loop. When the server closes the connection or it breaks, every query still waiting
/// fails with <see cref="ConnectionClosedException"/> and the connection is done.
/// </summary>
internal sealed class StreamConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<ushort, Pending> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reading;
    private long _lastUsed;
    private int _carried;
    private int _closed;

    private StreamConnection(TcpClient client, Stream stream, TimeProvider time)
    {
        _client = client;
        _stream = stream;
        Time = time;
        _lastUsed = time.GetTimestamp();
        _reading = ReadAnswersAsync(_closing.Token);
    }

    private TimeProvider Time { get; }

    /// <summary>Queries written and not yet answered.</summary>
    public int Outstanding => _pending.Count;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Queries this connection has carried: 0 for a fresh one.</summary>
    public int Carried => Volatile.Read(ref _carried);

    /// <summary>How long it has had nothing outstanding (zero while it has).</summary>
    public TimeSpan Idle => Outstanding > 0 ? TimeSpan.Zero : Time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public static async Task<StreamConnection> OpenAsync(
        UpstreamServer server, bool tls, RemoteCertificateValidationCallback? validation, TimeProvider time, CancellationToken cancellationToken)
    {
        var client = new TcpClient(server.EndPoint.AddressFamily) { NoDelay = true };
        try
        {
            await client.ConnectAsync(server.EndPoint, cancellationToken).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;

                // Default validation (validation == null) checks the chain and that the certificate names TlsName.
                // The TLS session is cached by the platform, so a reconnect resumes it (RFC 7858 §3.4).
                var options = new SslClientAuthenticationOptions { TargetHost = server.TlsName, RemoteCertificateValidationCallback = validation };
                await ssl.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }

            return new StreamConnection(client, stream, time);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends the query and waits for its answer; <see cref="ConnectionClosedException"/> when the connection ends first (or already has).</summary>
    public async Task<byte[]> ExchangeAsync(UpstreamQuery query, CancellationToken cancellationToken)
    {
        var pending = new Pending(query);
        if (IsClosed || !_pending.TryAdd(query.Id, pending))
        {
            throw new ConnectionClosedException(IsClosed ? "the connection is closed" : "the query ID is already in use on this connection");
        }

        Interlocked.Increment(ref _carried);
        try
        {
            await WriteAsync(query.Wire, cancellationToken).ConfigureAwait(false);
            return await pending.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<ushort, Pending>(query.Id, pending));
            Interlocked.Exchange(ref _lastUsed, Time.GetTimestamp());
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new ConnectionClosedException("the resolver closed the connection"));
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _writing.Dispose();
        _closing.Dispose();
    }

    private async Task WriteAsync(byte[] message, CancellationToken cancellationToken)
    {
        var framed = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A write cut short (cancelled included) may leave half a message on the stream: nothing more can follow it.
            Close(new ConnectionClosedException($"writing failed: {e.Message}"));
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new ConnectionClosedException($"writing failed: {e.Message}");
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Reads answers until the connection ends; each goes to the query with its ID, if it answers that query.</summary>
    private async Task ReadAnswersAsync(CancellationToken closing)
    {
        var reason = "the upstream closed the connection";
        try
        {
            while (await ReadFrameAsync(_stream, closing).ConfigureAwait(false) is { } message)
            {
                if (message.Length >= 2 && _pending.TryGetValue(BinaryPrimitives.ReadUInt16BigEndian(message), out var pending)
                    && pending.Query.IsAnsweredBy(message))
                {
                    pending.Answer.TrySetResult(message);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            reason = e is OperationCanceledException ? "the resolver closed the connection" : $"the connection broke: {e.Message}";
        }

        Close(new ConnectionClosedException(reason));
    }

    /// <summary>Reads one length-prefixed message (RFC 1035 §4.2.2); null at a clean end of stream.</summary>
    private static async Task<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        if (await stream.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < 2)
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message, cancellationToken).ConfigureAwait(false); // an end here is an IOException: cut mid-message
        return message;
    }

    private void Close(ConnectionClosedException reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _closing.Cancel();
        _client.Dispose(); // ends a read or write in progress
        foreach (var pending in _pending.Values)
        {
            pending.Answer.TrySetException(reason);
        }
    }

    private sealed class Pending(UpstreamQuery query)
    {
        public UpstreamQuery Query { get; } = query;

        public TaskCompletionSource<byte[]> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A stream connection ended (or could not take the query) before this query's answer came.</summary>
internal sealed class ConnectionClosedException(string message) : IOException(message);
