using Resolver.Protocol.Messages;
using Resolver.Protocol.Scanning;
using Resolver.Protocol.Tests.Fixtures;
using Resolver.Protocol.Wire;

namespace Resolver.Protocol.Tests.Messages;

/// <summary>Each malformation is an error result from both the full parser and the scanner, never an exception.</summary>
public class MalformedMessageTests
{
    private const string Header1Question = "abcd 0100 0001 0000 0000 0000";
    private const string Header1Answer = "abcd 8180 0001 0001 0000 0000";
    private const string QuestionWww = "03777777 0474657374 00 0001 0001"; // www.test. A IN at offset 12; answers start at 26

    public static TheoryData<string, string, DnsParseError> Cases => new()
    {
        { "empty", string.Empty, DnsParseError.Truncated },
        { "short header", "abcd01", DnsParseError.Truncated },
        { "question count larger than data", "abcd 0100 0005 0000 0000 0000" + QuestionWww, DnsParseError.CountExceedsData },
        { "answer count larger than data", "abcd 8180 0001 0009 0000 0000" + QuestionWww, DnsParseError.CountExceedsData },
        { "question cut in type", Header1Question + "03777777 0474657374 00 00", DnsParseError.Truncated },
        { "question name unterminated", Header1Question + "03777777 0774657374 00000000", DnsParseError.Truncated },
        { "pointer to itself", Header1Question + "c00c 0001 0001", DnsParseError.InvalidPointer },
        { "forward pointer", Header1Question + "c00e 0001 0001 00", DnsParseError.InvalidPointer },
        { "label type 0x40 (64-byte label)", Header1Question + "40" + new string('6', 128) + "00 0001 0001", DnsParseError.ReservedLabelType },
        { "label type 0x80", Header1Question + "80 00 0001 0001", DnsParseError.ReservedLabelType },
        { "answer pointer loop", Header1Answer + QuestionWww + "c01d 0001 0001 0000003c 0004 c0000201 c01d", DnsParseError.InvalidPointer },
        { "rdata runs past end", Header1Answer + QuestionWww + "c00c 0001 0001 0000003c 0008 c0000201", DnsParseError.Truncated },
    };

    /// <summary>Malformations only a full parse can see: they are inside RDATA, which the scanner does not decode.</summary>
    public static TheoryData<string, string, DnsParseError> RdataCases => new()
    {
        { "A with RDLENGTH 5", Header1Answer + QuestionWww + "c00c 0001 0001 0000003c 0005 c000020100", DnsParseError.RdataLengthMismatch },
        { "A with RDLENGTH 3", Header1Answer + QuestionWww + "c00c 0001 0001 0000003c 0003 c00002 0000", DnsParseError.RdataLengthMismatch },
        { "NS whose name overruns RDLENGTH", Header1Answer + QuestionWww + "c00c 0002 0001 0000003c 0001 03777777 00", DnsParseError.RdataLengthMismatch },
        { "CNAME with forward pointer", Header1Answer + QuestionWww + "c00c 0005 0001 0000003c 0002 c0ff", DnsParseError.InvalidPointer },
        { "NSEC bitmap window of 33 bytes", Header1Answer + QuestionWww + "c00c 002f 0001 0000003c 0024 00 00 21" + new string('0', 66), DnsParseError.InvalidRdata },
        { "cookie of 5 bytes", "abcd 0100 0001 0000 0000 0001" + QuestionWww + "00 0029 04d0 00000000 0009 000a 0005 0102030405", DnsParseError.InvalidRdata },
        { "two OPT records", "abcd 0100 0001 0000 0000 0002" + QuestionWww + "00 0029 04d0 00000000 0000 00 0029 04d0 00000000 0000", DnsParseError.InvalidOpt },
        { "OPT in the answer section", Header1Answer + QuestionWww + "00 0029 04d0 00000000 0000", DnsParseError.InvalidOpt },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FramingErrors_AreReportedByParserAndScanner(string description, string hex, DnsParseError expected)
    {
        var bytes = FixtureFiles.FromHex(hex);

        Assert.False(DnsMessage.TryParse(bytes, out _, out var parseError), description);
        Assert.Equal(expected, parseError);
        Assert.Equal(expected, ScanResponse(bytes));
        Assert.Equal(expected, ScanQuery(bytes));
    }

    [Theory]
    [MemberData(nameof(RdataCases))]
    public void RdataErrors_AreReportedByTheParser(string description, string hex, DnsParseError expected)
    {
        var bytes = FixtureFiles.FromHex(hex);

        Assert.False(DnsMessage.TryParse(bytes, out _, out var error), description);
        Assert.Equal(expected, error);
        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(bytes));
    }

    [Fact]
    public void EveryTruncationOfEveryFixture_IsAnErrorResult()
    {
        foreach (var bytes in FixtureFiles.All())
        {
            for (var length = 0; length < bytes.Length; length++)
            {
                var cut = bytes.AsSpan(0, length);
                Assert.False(DnsMessage.TryParse(cut, out _, out var error));
                Assert.NotEqual(DnsParseError.None, error);
                Assert.NotEqual(DnsParseError.None, ScanResponse(cut));
            }
        }
    }

    private static DnsParseError ScanResponse(ReadOnlySpan<byte> bytes)
    {
        Span<ScannedRecord> records = stackalloc ScannedRecord[64];
        return MessageScanner.ScanResponse(bytes, records, out _);
    }

    private static DnsParseError ScanQuery(ReadOnlySpan<byte> bytes)
    {
        Span<byte> name = stackalloc byte[255];
        return MessageScanner.ScanQuery(bytes, name, out _);
    }
}
