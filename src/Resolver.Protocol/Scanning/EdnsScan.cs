namespace Resolver.Protocol.Scanning;

/// <summary>The OPT record's fields as found by a scan; <see cref="Present"/> is false when there is none.</summary>
public readonly record struct EdnsScan(
    bool Present,
    ushort UdpPayloadSize,
    byte ExtendedRcode,
    byte Version,
    ushort Flags,
    int RecordOffset,
    int RecordLength)
{
    public bool DnssecOk => (Flags & 0x8000) != 0;
}
