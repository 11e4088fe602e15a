namespace Resolver.Protocol.Edns;

/// <summary>EDNS0 option codes (IANA registry) this codec knows by name.</summary>
public enum EdnsOptionCode : ushort
{
    Nsid = 3,
    ClientSubnet = 8,
    Cookie = 10,
    TcpKeepalive = 11,
    Padding = 12,
    ExtendedError = 15,
}
