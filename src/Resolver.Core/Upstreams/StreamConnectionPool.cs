using System.Net.Security;

namespace Resolver.Core.Upstreams;

/// <summary>
/// The persistent TCP or DNS-over-TLS connections to one upstream: opened on demand, at most
/// <see cref="MaxConnections"/> while all are busy, queries pipelined on them (a fresh handshake per query was
/// the cost of every DoT miss). One idle for <see cref="IdleTimeout"/> is closed when the pool is next used;
/// a server may close one at any time (RFC 7766 §6.2.3), and a query caught by that on a reused connection is
/// sent once more on a new one.
/// </summary>
internal sealed class StreamConnectionPool : IDisposable
{
    public const int MaxConnections = 2;
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private readonly UpstreamServer _server;
    private readonly bool _tls;
    private readonly RemoteCertificateValidationCallback? _validation;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<StreamConnection> _connections = [];
    private int _opened;

    public StreamConnectionPool(UpstreamServer server, bool tls, RemoteCertificateValidationCallback? validation, TimeProvider time)
    {
        _server = server;
        _tls = tls;
        _validation = validation;
        _time = time;
    }

    /// <summary>Connections opened so far (for tests and the admin view: a handshake each).</summary>
    public int Opened => Volatile.Read(ref _opened);

    public async Task<byte[]> ExchangeAsync(UpstreamQuery query, CancellationToken cancellationToken)
    {
        var connection = Take() ?? await OpenAsync(cancellationToken).ConfigureAwait(false);
        var reused = connection.Carried > 0;
        try
        {
            return await connection.ExchangeAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionClosedException) when (reused && !cancellationToken.IsCancellationRequested)
        {
            var fresh = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await fresh.ExchangeAsync(query, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var connection in _connections)
            {
                _ = connection.DisposeAsync(); // closes at once; its reading loop ends by itself
            }

            _connections.Clear();
        }
    }

    /// <summary>The open connection with the fewest queries out; null when a new one should be opened.</summary>
    private StreamConnection? Take()
    {
        lock (_lock)
        {
            _connections.RemoveAll(Retire);
            var least = _connections.MinBy(c => c.Outstanding);
            return least is null || (least.Outstanding > 0 && _connections.Count < MaxConnections) ? null : least;
        }
    }

    private bool Retire(StreamConnection connection)
    {
        if (connection.IsClosed)
        {
            return true;
        }

        if (connection.Idle < IdleTimeout)
        {
            return false;
        }

        _ = connection.DisposeAsync();
        return true;
    }

    private async Task<StreamConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await StreamConnection.OpenAsync(_server, _tls, _validation, _time, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _opened);
        lock (_lock)
        {
            _connections.Add(connection);
        }

        return connection;
    }
}
