namespace Resolver.Protocol.Wire;

/// <summary>Why a DNS message could not be read. Every value maps to FORMERR (or a silent drop).</summary>
public enum DnsParseError
{
    None = 0,

    /// <summary>The message ended in the middle of a field.</summary>
    Truncated,

    /// <summary>A section count promises more entries than the remaining bytes can hold.</summary>
    CountExceedsData,

    /// <summary>A compression pointer that is not strictly backward (forward, self or looping).</summary>
    InvalidPointer,

    /// <summary>A label type 0x40 or 0x80 (RFC 6891 retired extended labels), e.g. a length byte of 64.</summary>
    ReservedLabelType,

    /// <summary>A label longer than 63 bytes (presentation format only: the wire cannot express it).</summary>
    LabelTooLong,

    /// <summary>A name longer than 255 bytes in wire form.</summary>
    NameTooLong,

    /// <summary>A record consumed more or fewer bytes than its RDLENGTH.</summary>
    RdataLengthMismatch,

    /// <summary>A record's data is structurally invalid for its type.</summary>
    InvalidRdata,

    /// <summary>An OPT record outside the additional section, not owned by the root, or more than one.</summary>
    InvalidOpt,

    /// <summary>More records than the caller's scan buffer can describe.</summary>
    TooManyRecords,
}
