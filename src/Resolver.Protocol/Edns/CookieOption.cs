using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Edns;

/// <summary>DNS COOKIE (RFC 7873): an 8-byte client cookie, optionally followed by an 8-32 byte server cookie.</summary>
public sealed class CookieOption : EdnsOption
{
    private const int ClientLength = 8;
    private readonly byte[] _client;
    private readonly byte[] _server;

    public CookieOption(ReadOnlySpan<byte> client, ReadOnlySpan<byte> server = default)
    {
        if (client.Length != ClientLength || (server.Length != 0 && server.Length is < 8 or > 32))
        {
            throw new ArgumentException("A client cookie is 8 bytes; a server cookie 8 to 32.");
        }

        _client = client.ToArray();
        _server = server.ToArray();
    }

    public ReadOnlySpan<byte> Client => _client;

    public ReadOnlySpan<byte> Server => _server;

    public override ushort Code => (ushort)EdnsOptionCode.Cookie;

    public override bool TryWriteData(ref DnsWriter writer) => writer.TryWriteBytes(_client) && writer.TryWriteBytes(_server);

    public override string ToString() => $"COOKIE: {Convert.ToHexStringLower(_client)}{Convert.ToHexStringLower(_server)}";

    /// <summary>A cookie of any other length is malformed; RFC 7873 §5.2.2 answers FORMERR.</summary>
    internal static CookieOption Read(ReadOnlySpan<byte> data)
    {
        if (data.Length != ClientLength && data.Length is < ClientLength + 8 or > ClientLength + 32)
        {
            ThrowHelper.ThrowFormat(DnsParseError.InvalidRdata);
        }

        return new CookieOption(data[..ClientLength], data[ClientLength..]);
    }
}
