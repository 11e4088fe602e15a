namespace Resolver.Protocol.Records;

/// <summary>RR TYPE values (IANA registry). Any other value is valid too and is carried opaquely (RFC 3597).</summary>
#pragma warning disable CA1720 // The mnemonics are the registry's names.
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    HINFO = 13,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    NAPTR = 35,
    DNAME = 39,
    OPT = 41,
    DS = 43,
    SSHFP = 44,
    RRSIG = 46,
    NSEC = 47,
    DNSKEY = 48,
    NSEC3 = 50,
    NSEC3PARAM = 51,
    TLSA = 52,
    SVCB = 64,
    HTTPS = 65,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
    CAA = 257,
}
#pragma warning restore CA1720
