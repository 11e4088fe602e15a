namespace Resolver.Protocol.Wire;

/// <summary>Thrown by the throwing <c>Parse</c> entry points; the <c>TryParse</c> ones return the error instead.</summary>
public sealed class DnsFormatException : FormatException
{
    public DnsFormatException(DnsParseError error)
        : base($"Malformed DNS data: {error}.")
    {
        Error = error;
    }

    public DnsFormatException(string message)
        : base(message)
    {
        Error = DnsParseError.InvalidRdata;
    }

    public DnsFormatException()
        : this(DnsParseError.InvalidRdata)
    {
    }

    public DnsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = DnsParseError.InvalidRdata;
    }

    public DnsParseError Error { get; }
}
