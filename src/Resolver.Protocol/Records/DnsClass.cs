namespace Resolver.Protocol.Records;

/// <summary>RR CLASS values; others are carried as numbers and printed as CLASSnnn.</summary>
public enum DnsClass : ushort
{
    IN = 1,
    CH = 3,
    HS = 4,
    NONE = 254,
    ANY = 255,
}
