using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;

namespace Resolver.Core.Listeners;

/// <summary>
/// TCP on one endpoint: accepts connections and hands each to a <see cref="TcpConnection"/>. Clients outside the
/// allowed networks, a client past its share of connections (Dns:MaxTcpConnectionsPerClient) and anyone past
/// Dns:MaxTcpConnections are closed at the door, before they can hold a slot.
/// </summary>
internal sealed partial class TcpListener(
    Socket socket, QueryProcessor processor, AccessControl access, PendingQueries pending, TcpSlots slots, DnsServerOptions options, ResolverMetrics metrics, ILogger logger)
{
    private const int SendBuffer = 64 * 1024;

    /// <summary>Accepts until <paramref name="stopAccepting"/>; then waits for the open connections, which <paramref name="abort"/> cuts short.</summary>
    public async Task RunAsync(CancellationToken stopAccepting, CancellationToken abort)
    {
        var connections = new List<Task>();
        try
        {
            while (!stopAccepting.IsCancellationRequested)
            {
                Socket connection;
                try
                {
                    connection = await socket.AcceptAsync(stopAccepting).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    LogAcceptFailed(logger, e.SocketErrorCode);
                    continue;
                }

                if (Admit(connection) is { } prefix)
                {
                    connections.RemoveAll(c => c.IsCompleted);
                    connections.Add(ServeAsync(connection, prefix, stopAccepting, abort));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && stopAccepting.IsCancellationRequested)
        {
        }

        await Task.WhenAll(connections).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The client's prefix with its connection counted, or null when the connection was turned away (and closed).</summary>
    private ClientPrefix? Admit(Socket connection)
    {
        // Refused clients are turned away at the door, so they cannot hold connection slots.
        if (connection.RemoteEndPoint is not IPEndPoint remote || !access.IsAllowed(remote.Address))
        {
            connection.Dispose();
            return null;
        }

        switch (slots.TryOpen(remote.Address, out var prefix))
        {
            case TcpSlots.Admission.ClientLimit:
                LogClientLimit(logger, remote.Address, options.MaxTcpConnectionsPerClient);
                metrics.TcpClosed("client_limit");
                connection.Dispose();
                return null;
            case TcpSlots.Admission.ConnectionLimit:
                LogConnectionLimit(logger, options.MaxTcpConnections);
                metrics.TcpClosed("connection_limit");
                connection.Dispose();
                return null;
        }

        return prefix;
    }

    private async Task ServeAsync(Socket socket, ClientPrefix prefix, CancellationToken stopReading, CancellationToken abort)
    {
        await Task.Yield(); // off the accept loop

        // A fixed send buffer, room for the largest answer, instead of one the kernel grows to megabytes for a peer
        // that pipelines and does not read: its writes stall (and time out) after a few answers, not after thousands.
        socket.SendBufferSize = SendBuffer;
        var client = ((IPEndPoint)socket.RemoteEndPoint!).Address;
        using var connection = new TcpConnection(socket, client, processor, pending, options, metrics, logger, abort);
        try
        {
            await connection.ServeAsync(stopReading).ConfigureAwait(false);
        }
        finally
        {
            slots.Close(prefix);
        }
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "TCP accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error);

    [LoggerMessage(EventId = 411, Level = LogLevel.Debug, Message = "TCP connection refused: {Max} connections already open (Dns:MaxTcpConnections)")]
    private static partial void LogConnectionLimit(ILogger logger, int max);

    [LoggerMessage(EventId = 413, Level = LogLevel.Debug, Message = "TCP connection from {Client} refused: it has {Max} open (Dns:MaxTcpConnectionsPerClient)")]
    private static partial void LogClientLimit(ILogger logger, IPAddress client, int max);
}
