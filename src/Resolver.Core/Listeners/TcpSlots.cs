using System.Net;

namespace Resolver.Core.Listeners;

/// <summary>
/// Open TCP connections over every endpoint (Dns:MaxTcpConnections) and per client, a /32 of IPv4 or a /64 of
/// IPv6 (Dns:MaxTcpConnectionsPerClient), so one client cannot take every slot. Connections come and go far more
/// rarely than queries, so one lock will do.
/// </summary>
internal sealed class TcpSlots(int max, int maxPerClient)
{
    private readonly Dictionary<ClientPrefix, int> _perClient = [];
    private int _open;

    public enum Admission
    {
        Admitted,
        ClientLimit,
        ConnectionLimit,
    }

    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a slot for a connection from <paramref name="client"/>, unless it or the server has none left.</summary>
    public Admission TryOpen(IPAddress client, out ClientPrefix prefix)
    {
        prefix = ClientPrefix.Of(client, 32, 64);
        lock (_perClient)
        {
            _perClient.TryGetValue(prefix, out var clientOpen);
            if (clientOpen >= maxPerClient)
            {
                return Admission.ClientLimit;
            }

            if (_open >= max)
            {
                return Admission.ConnectionLimit;
            }

            _perClient[prefix] = clientOpen + 1;
            Volatile.Write(ref _open, _open + 1);
            return Admission.Admitted;
        }
    }

    public void Close(ClientPrefix prefix)
    {
        lock (_perClient)
        {
            if (!_perClient.TryGetValue(prefix, out var clientOpen))
            {
                return;
            }

            if (clientOpen <= 1)
            {
                _perClient.Remove(prefix);
            }
            else
            {
                _perClient[prefix] = clientOpen - 1;
            }

            Volatile.Write(ref _open, _open - 1);
        }
    }
}
