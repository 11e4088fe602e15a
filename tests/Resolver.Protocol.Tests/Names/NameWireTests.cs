using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Tests.Names;

/// <summary>Hand-built hostile names: each decompression rule has a fixture that breaks it.</summary>
public class NameWireTests
{
    private static DnsParseError Decompress(byte[] message, int offset, out string text, out int next)
    {
        Span<byte> buffer = stackalloc byte[NameWire.MaxNameLength];
        var error = NameWire.TryDecompress(message, offset, buffer, out var length, out next);
        text = error == DnsParseError.None ? DnsName.FromWire(buffer[..length]).ToString() : string.Empty;
        return error;
    }

    [Fact]
    public void BackwardPointer_IsFollowed_AndNextIsAfterThePointer()
    {
        // offset 0: "example.com", offset 13: "www" + pointer to 0
        byte[] message = [7, .. "example"u8, 3, .. "com"u8, 0, 3, .. "www"u8, 0xC0, 0x00, 0xFF];

        Assert.Equal(DnsParseError.None, Decompress(message, 13, out var text, out var next));
        Assert.Equal("www.example.com.", text);
        Assert.Equal(19, next);
    }

    [Fact]
    public void ChainedBackwardPointers_AreFollowed()
    {
        // 0: "com", 5: "example" -> 0, 15: "www" -> 5
        byte[] message = [3, .. "com"u8, 0, 7, .. "example"u8, 0xC0, 0, 3, .. "www"u8, 0xC0, 5];

        Assert.Equal(DnsParseError.None, Decompress(message, 15, out var text, out _));
        Assert.Equal("www.example.com.", text);
    }

    [Fact]
    public void PointerToItself_IsInvalid()
    {
        byte[] message = [0xC0, 0x00];
        Assert.Equal(DnsParseError.InvalidPointer, Decompress(message, 0, out _, out _));
    }

    [Fact]
    public void PointerLoopBetweenTwoNames_IsInvalid()
    {
        // 0: "a" -> 4, 4: "b" -> 0 : the second jump is not below the first target.
        byte[] message = [1, (byte)'a', 0xC0, 0x04, 1, (byte)'b', 0xC0, 0x00];
        Assert.Equal(DnsParseError.InvalidPointer, Decompress(message, 0, out _, out _));
        Assert.Equal(DnsParseError.InvalidPointer, Decompress(message, 4, out _, out _));
    }

    [Fact]
    public void ForwardPointer_IsInvalid()
    {
        byte[] message = [0xC0, 0x04, 0, 0, 3, .. "com"u8, 0];
        Assert.Equal(DnsParseError.InvalidPointer, Decompress(message, 0, out _, out _));
    }

    [Theory]
    [InlineData(0x40)] // 64: extended label type 01
    [InlineData(0x80)] // 10: reserved
    [InlineData(0x7F)]
    public void ReservedLabelTypes_AreRejected(byte lengthByte)
    {
        var message = new byte[2 + 0x80];
        message[0] = lengthByte;
        Assert.Equal(DnsParseError.ReservedLabelType, Decompress(message, 0, out _, out _));
    }

    [Fact]
    public void NameOf256Bytes_IsTooLong()
    {
        // Four 63-byte labels would be 257 bytes including the root.
        var message = new List<byte>();
        for (var i = 0; i < 4; i++)
        {
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        message.Add(0);
        Assert.Equal(DnsParseError.NameTooLong, Decompress([.. message], 0, out _, out _));
    }

    [Fact]
    public void NameOver255BytesBuiltFromPointers_IsTooLong()
    {
        // 0: 63 x 'a' + root; then three more 63-byte labels each pointing at the previous one.
        var message = new List<byte> { 63 };
        message.AddRange(Enumerable.Repeat((byte)'a', 63));
        message.Add(0);
        var previous = 0;
        for (var i = 0; i < 3; i++)
        {
            var start = message.Count;
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'b', 63));
            message.Add(0xC0);
            message.Add((byte)previous);
            previous = start;
        }

        Assert.Equal(DnsParseError.NameTooLong, Decompress([.. message], previous, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 3, (byte)'w', (byte)'w' })]
    [InlineData(new byte[] { 3, (byte)'w', (byte)'w', (byte)'w' })]
    [InlineData(new byte[] { 0xC0 })]
    [InlineData(new byte[] { })]
    public void TruncatedNames_AreTruncated(byte[] message)
    {
        Assert.Equal(DnsParseError.Truncated, Decompress(message, 0, out _, out _));
    }

    [Fact]
    public void MatchesAt_FollowsPointers_AndIgnoresCaseOnlyWhenAsked()
    {
        byte[] message = [7, .. "Example"u8, 3, .. "com"u8, 0, 3, .. "www"u8, 0xC0, 0x00];
        var wanted = DnsName.Parse("www.example.com").Wire;

        Assert.True(NameWire.MatchesAt(message, 13, wanted));
        Assert.False(NameWire.MatchesAt(message, 13, wanted, ignoreCase: false));
        Assert.False(NameWire.MatchesAt(message, 13, DnsName.Parse("www.example.net").Wire));
    }
}
