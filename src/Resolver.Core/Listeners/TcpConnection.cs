using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;

namespace Resolver.Core.Listeners;

/// <summary>
/// One client's TCP connection (RFC 7766): length-prefixed queries, several in flight and answered in any order.
/// It is closed when it goes idle (no query read and no answer written for Dns:TcpIdleTimeout, with nothing in
/// flight or with answers the peer is not reading), when a frame once begun does not arrive whole within that
/// time (a slowloris), and when one answer cannot be written within Dns:TcpWriteTimeout.
/// </summary>
internal sealed partial class TcpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly IPAddress _client;
    private readonly QueryProcessor _processor;
    private readonly PendingQueries _pending;
    private readonly DnsServerOptions _options;
    private readonly ResolverMetrics _metrics;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _closed;
    private readonly List<Task> _inFlight = [];
    private readonly byte[] _prefix = new byte[2];
    private long _lastActivity = Stopwatch.GetTimestamp();
    private int _unwritten;

    public TcpConnection(Socket socket, IPAddress client, QueryProcessor processor, PendingQueries pending, DnsServerOptions options, ResolverMetrics metrics, ILogger logger, CancellationToken abort)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _client = client;
        _processor = processor;
        _pending = pending;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _slots = new SemaphoreSlim(options.MaxTcpQueriesPerConnection, options.MaxTcpQueriesPerConnection);
        _closed = CancellationTokenSource.CreateLinkedTokenSource(abort);
    }

    /// <summary>
    /// Reads and answers until the peer closes, the connection times out, or <paramref name="stopReading"/> (the server
    /// stops): then answers still in flight are written before the connection closes.
    /// </summary>
    public async Task ServeAsync(CancellationToken stopReading)
    {
        try
        {
            // Once aborted, queries the peer sent before are still in the kernel's buffer: they are not read.
            while (!stopReading.IsCancellationRequested && !_closed.IsCancellationRequested)
            {
                var frame = await ReadFrameAsync(stopReading).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }

                if (!await WaitForSlotAsync(stopReading).ConfigureAwait(false))
                {
                    break;
                }

                _inFlight.RemoveAll(t => t.IsCompleted);
                _inFlight.Add(AnswerAsync(frame));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the peer went away, sent a broken frame or too slowly, or we are stopping
        }
        finally
        {
            // Answers still in flight use the stream: let them finish (or give up when the connection is closed) first.
            await Task.WhenAll(_inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// The next query, or null at end of stream or once idle. The idle timeout applies while waiting for a frame's
    /// first byte, so it never leaves half a frame read; the rest of the frame must follow within the same time.
    /// </summary>
    private async Task<byte[]?> ReadFrameAsync(CancellationToken stopReading)
    {
        while (true)
        {
            var idleIn = IdleIn();
            if (idleIn <= TimeSpan.Zero)
            {
                if (_slots.CurrentCount == _options.MaxTcpQueriesPerConnection || IsNotReading())
                {
                    return null; // idle: nothing in flight, or the peer does not read its answers
                }

                idleIn = _options.TcpIdleTimeout; // queries waiting on an upstream, whose deadline is shorter than this
            }

            using var idle = CancellationTokenSource.CreateLinkedTokenSource(stopReading);
            idle.CancelAfter(idleIn);
            try
            {
                if (await _stream.ReadAsync(_prefix.AsMemory(0, 1), idle.Token).ConfigureAwait(false) == 0)
                {
                    return null;
                }

                break;
            }
            catch (OperationCanceledException) when (!stopReading.IsCancellationRequested)
            {
            }
        }

        using var rest = CancellationTokenSource.CreateLinkedTokenSource(stopReading);
        rest.CancelAfter(_options.TcpIdleTimeout);
        try
        {
            await _stream.ReadExactlyAsync(_prefix.AsMemory(1, 1), rest.Token).ConfigureAwait(false);
            var message = new byte[(_prefix[0] << 8) | _prefix[1]];
            await _stream.ReadExactlyAsync(message, rest.Token).ConfigureAwait(false);
            Touch();
            return message;
        }
        catch (OperationCanceledException) when (!stopReading.IsCancellationRequested)
        {
            LogSlowFrame(_logger, _client, _options.TcpIdleTimeout);
            _metrics.TcpClosed("slow_frame");
            return null;
        }
    }

    /// <summary>A free slot for the next query; false when the connection went idle meanwhile with answers its peer does not read.</summary>
    private async Task<bool> WaitForSlotAsync(CancellationToken stopReading)
    {
        while (!await _slots.WaitAsync(Max(IdleIn(), _options.TcpIdleTimeout / 4), stopReading).ConfigureAwait(false))
        {
            if (IsNotReading())
            {
                return false;
            }
        }

        return true;

        static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }

    /// <summary>How long until the connection has been quiet (no query read, no answer written) for the idle timeout.</summary>
    private TimeSpan IdleIn() => _options.TcpIdleTimeout - Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity));

    /// <summary>Quiet for the idle timeout with answers waiting to be written: the peer stopped reading. Aborts the connection.</summary>
    private bool IsNotReading()
    {
        if (IdleIn() > TimeSpan.Zero || Volatile.Read(ref _unwritten) == 0)
        {
            return false;
        }

        LogNotReading(_logger, _client, _options.TcpIdleTimeout);
        _metrics.TcpClosed("not_reading");
        Abort();
        return true;
    }

    private async Task AnswerAsync(byte[] query)
    {
        try
        {
            byte[] frame;
            using (var answer = new AnswerBuffer())
            {
                var length = await ProcessAsync(query, answer).ConfigureAwait(false);
                if (length <= 0)
                {
                    return;
                }

                frame = answer.ToFrame(length); // sized to the message; the 64 KB goes back to the pool before the write
            }

            await WriteAsync(frame).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (IOException or SocketException or OperationCanceledException or ObjectDisposedException))
        {
            LogQueryFailed(_logger, _client, e);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async ValueTask<int> ProcessAsync(byte[] query, AnswerBuffer answer)
    {
        var processing = _processor.ProcessAsync(query, answer.Memory, _client, DnsTransport.Tcp, _pending.HasRoom);
        if (processing.IsCompletedSuccessfully)
        {
            return processing.Result;
        }

        _pending.Enter();
        try
        {
            return await processing.ConfigureAwait(false);
        }
        finally
        {
            _pending.Exit();
        }
    }

    /// <summary>
    /// Writes one answer after those before it. A connection closed meanwhile, or a write that times out, ends it
    /// without an exception: a thousand answers given up at once must not cost a thousand throws.
    /// </summary>
    private async Task WriteAsync(byte[] frame)
    {
        Interlocked.Increment(ref _unwritten);
        try
        {
            var turn = _writeLock.WaitAsync(_closed.Token);
            await turn.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!turn.IsCompletedSuccessfully)
            {
                return; // closed while waiting
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
                timeout.CancelAfter(_options.TcpWriteTimeout);
                var write = _stream.WriteAsync(frame, timeout.Token).AsTask();
                await write.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (write.IsCompletedSuccessfully)
                {
                    Touch();
                }
                else if (timeout.IsCancellationRequested && !_closed.IsCancellationRequested)
                {
                    LogWriteTimedOut(_logger, _client, _options.TcpWriteTimeout);
                    _metrics.TcpClosed("write_timeout");
                    Abort();
                }
                else
                {
                    Abort(); // the peer reset the connection, or it was closed
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _unwritten);
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());

    /// <summary>Gives up on the connection: answers waiting to be written fail at once and the reader sees the end.</summary>
    public void Abort()
    {
        try
        {
            _closed.Cancel();
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already closed
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _closed.Dispose();
        _writeLock.Dispose();
        _slots.Dispose();
    }

    [LoggerMessage(EventId = 412, Level = LogLevel.Error, Message = "TCP query from {Client} failed")]
    private static partial void LogQueryFailed(ILogger logger, IPAddress client, Exception exception);

    [LoggerMessage(EventId = 414, Level = LogLevel.Debug, Message = "TCP connection from {Client} closed: an answer was not written within {Timeout} (Dns:TcpWriteTimeout)")]
    private static partial void LogWriteTimedOut(ILogger logger, IPAddress client, TimeSpan timeout);

    [LoggerMessage(EventId = 415, Level = LogLevel.Debug, Message = "TCP connection from {Client} closed: its answers went unread for {Timeout} (Dns:TcpIdleTimeout)")]
    private static partial void LogNotReading(ILogger logger, IPAddress client, TimeSpan timeout);

    [LoggerMessage(EventId = 416, Level = LogLevel.Debug, Message = "TCP connection from {Client} closed: a query did not arrive whole within {Timeout} (Dns:TcpIdleTimeout)")]
    private static partial void LogSlowFrame(ILogger logger, IPAddress client, TimeSpan timeout);
}
