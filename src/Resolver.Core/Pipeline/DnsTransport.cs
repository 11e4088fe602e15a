namespace Resolver.Core.Pipeline;

public enum DnsTransport : byte
{
    Udp,
    Tcp,
}
