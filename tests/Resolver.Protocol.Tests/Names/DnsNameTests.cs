using Resolver.Protocol.Names;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Tests.Names;

public class DnsNameTests
{
    [Theory]
    [InlineData("www.example.com", "www.example.com.")]
    [InlineData("www.example.com.", "www.example.com.")]
    [InlineData(".", ".")]
    [InlineData(@"a\.b.example.", @"a\.b.example.")]
    [InlineData(@"\065bc.example.", "Abc.example.")]
    [InlineData(@"x\032y.example.", @"x\032y.example.")]
    [InlineData(@"semi\;colon.example.", @"semi\;colon.example.")]
    public void Parse_ThenToString_GivesPresentationFormWithTrailingDot(string text, string expected)
    {
        Assert.Equal(expected, DnsName.Parse(text).ToString());
    }

    [Fact]
    public void Parse_EscapedDot_StaysInsideOneLabel()
    {
        var name = DnsName.Parse(@"a\.b.example.");

        Assert.Equal(2, name.LabelCount);
        Assert.Equal("a.b"u8.ToArray(), name.GetLabel(0).ToArray());
    }

    [Fact]
    public void Parse_BuildsWireForm()
    {
        Assert.Equal("\u0003www\u0007example\u0003com\0"u8.ToArray(), DnsName.Parse("www.example.com").Wire.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData(".a")]
    [InlineData(@"bad\")]
    [InlineData(@"bad\25")]
    [InlineData(@"bad\256")]
    [InlineData("sp ace.example")]
    public void TryParse_Malformed_Fails(string text)
    {
        Assert.False(DnsName.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_64ByteLabel_IsLabelTooLong()
    {
        Assert.False(DnsName.TryParse(new string('a', 64) + ".example", out _, out var error));
        Assert.Equal(DnsParseError.LabelTooLong, error);
        Assert.True(DnsName.TryParse(new string('a', 63) + ".example", out _));
    }

    [Fact]
    public void TryParse_NameOver255Bytes_IsNameTooLong()
    {
        // Four 63-byte labels: 4 * 64 + 1 = 257 bytes of wire.
        var label = new string('a', 63);
        Assert.False(DnsName.TryParse($"{label}.{label}.{label}.{label}", out _, out var error));
        Assert.Equal(DnsParseError.NameTooLong, error);

        // 63 + 63 + 63 + 61 byte labels: 64 * 3 + 62 + 1 = 255 bytes, the largest allowed.
        Assert.True(DnsName.TryParse($"{label}.{label}.{label}.{new string('b', 61)}", out var longest));
        Assert.Equal(255, longest.Wire.Length);
    }

    [Fact]
    public void Equality_AndHash_IgnoreAsciiCase()
    {
        var lower = DnsName.Parse("www.example.com");
        var mixed = DnsName.Parse("WwW.ExAmPle.COM.");

        Assert.Equal(lower, mixed);
        Assert.True(lower == mixed);
        Assert.Equal(lower.GetHashCode(), mixed.GetHashCode());
        Assert.NotEqual(lower, DnsName.Parse("www.example.net"));
        Assert.NotEqual(DnsName.Parse("a.b"), DnsName.Parse("ab"));
    }

    [Fact]
    public void Equality_DoesNotFoldNonAsciiBytes()
    {
        Assert.NotEqual(DnsName.Parse(@"\195.example"), DnsName.Parse(@"\227.example"));
    }

    [Fact]
    public void Canonical_IsLowercasedWire_AndKeepsOriginalCaseInName()
    {
        var name = DnsName.Parse("WWW.Example.COM");
        Span<byte> key = stackalloc byte[NameWire.MaxNameLength];

        var length = name.CopyCanonical(key);

        Assert.Equal("\u0003www\u0007example\u0003com\0"u8.ToArray(), key[..length].ToArray());
        Assert.Equal("WWW.Example.COM.", name.ToString());
        Assert.Equal("www.example.com.", name.ToLowerInvariant().ToString());
    }

    [Theory]
    [InlineData("www.example.com", "example.com", true)]
    [InlineData("example.com", "example.com", true)]
    [InlineData("a.b.example.com", "EXAMPLE.com", true)]
    [InlineData("anything.test", ".", true)]
    [InlineData("example.com", "www.example.com", false)]
    [InlineData("badexample.com", "example.com", false)]
    [InlineData("example.net", "example.com", false)]
    public void IsSubdomainOf_MatchesWholeLabels(string name, string ancestor, bool expected)
    {
        Assert.Equal(expected, DnsName.Parse(name).IsSubdomainOf(DnsName.Parse(ancestor)));
    }

    [Fact]
    public void Parent_RemovesLeftmostLabel()
    {
        var name = DnsName.Parse("www.example.com");

        Assert.Equal(DnsName.Parse("example.com"), name.Parent());
        Assert.Equal(DnsName.Root, DnsName.Parse("com").Parent());
        Assert.Throws<InvalidOperationException>(() => DnsName.Root.Parent());
    }

    [Fact]
    public void FromWire_RejectsCompressedOrUnterminatedBytes()
    {
        Assert.Throws<DnsFormatException>(() => DnsName.FromWire([3, (byte)'w', (byte)'w', (byte)'w', 0xC0, 0x0C]));
        Assert.Throws<DnsFormatException>(() => DnsName.FromWire([3, (byte)'w', (byte)'w']));
        Assert.Throws<DnsFormatException>(() => DnsName.FromWire([1, (byte)'a', 0, 0]));
        Assert.Equal(DnsName.Parse("a"), DnsName.FromWire([1, (byte)'a', 0]));
    }
}
