namespace Resolver.Protocol.Messages;

/// <summary>RCODE values; values above 15 need an OPT record to carry their upper 8 bits (RFC 6891 §6.1.3).</summary>
public enum DnsResponseCode : ushort
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NXDomain = 3,
    NotImp = 4,
    Refused = 5,
    YXDomain = 6,
    YXRRSet = 7,
    NXRRSet = 8,
    NotAuth = 9,
    NotZone = 10,
    BadVers = 16,
    BadCookie = 23,
}
