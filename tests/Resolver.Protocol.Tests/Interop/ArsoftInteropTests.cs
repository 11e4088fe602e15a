using System.Net;
using System.Reflection;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Tests.Fixtures;
using Arsoft = ARSoft.Tools.Net.Dns;
using ArsoftName = ARSoft.Tools.Net.DomainName;

namespace Resolver.Protocol.Tests.Interop;

/// <summary>
/// The codec against an independent implementation, ARSoft.Tools.Net: what our writer emits parses there to the same
/// records, and what ARSoft writes parses here to the same records. "The same" is judged by one side's own printing
/// on both ends of a round trip through the other, so the two presentation formats never need to agree.
/// </summary>
public sealed class ArsoftInteropTests
{
    // ARSoft does not expose its encoder; this test reaches it by reflection (DnsMessageBase.Encode(), internal in 3.6.1).
    private static readonly MethodInfo s_encode = typeof(Arsoft.DnsMessage).GetMethod("Encode", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes)
        ?? throw new InvalidOperationException("ARSoft's DnsMessage.Encode() is gone: update the interop test.");

    private static readonly System.Text.RegularExpressions.Regex s_escapedByte = new(@"\\\d{3}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static TheoryData<string> CapturedResponses => [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Captured"), "*.response.hex")
        .Select(p => Path.GetFileName(p)[..^".response.hex".Length]).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(CapturedResponses))]
    public void WhatWeWrite_ParsesInArsoft_ToTheSameRecords(string capture)
    {
        var ours = DnsMessage.Parse(FixtureFiles.Response(capture));

        var (theirs, back) = ThroughArsoft(Write(ours));

        AssertSameShape(ours, theirs);
        AssertSameRecords(ours, back);
    }

    [Fact]
    public void WhatArsoftWrites_ForEveryTypeBothSupport_ParsesHereToTheSameRecords()
    {
        var owner = ArsoftName.Parse("www.example.com");
        var message = new Arsoft.DnsMessage { IsQuery = false, ReturnCode = Arsoft.ReturnCode.NoError };
        message.Questions.Add(new Arsoft.DnsQuestion(owner, Arsoft.RecordType.A, Arsoft.RecordClass.INet));
        message.AnswerRecords.AddRange(
        [
            new Arsoft.ARecord(owner, 300, IPAddress.Parse("192.0.2.1")),
            new Arsoft.AaaaRecord(owner, 300, IPAddress.Parse("2001:db8::1")),
            new Arsoft.CNameRecord(ArsoftName.Parse("alias.example.com"), 60, owner),
            new Arsoft.DNameRecord(ArsoftName.Parse("old.example.com"), 60, ArsoftName.Parse("new.example.net")),
            new Arsoft.NsRecord(ArsoftName.Parse("example.com"), 3600, ArsoftName.Parse("ns1.example.com")),
            new Arsoft.PtrRecord(ArsoftName.Parse("1.2.0.192.in-addr.arpa"), 300, owner),
            new Arsoft.MxRecord(ArsoftName.Parse("example.com"), 300, 10, ArsoftName.Parse("mx.example.com")),
            new Arsoft.TxtRecord(owner, 300, ["hello world", "q\"b\\n", string.Empty]),
            new Arsoft.SrvRecord(ArsoftName.Parse("_sip._tcp.example.com"), 300, 10, 60, 5060, ArsoftName.Parse("sip.example.com")),
            new Arsoft.CAARecord(ArsoftName.Parse("example.com"), 300, 0, "issue", "letsencrypt.org"),
            new Arsoft.SoaRecord(ArsoftName.Parse("example.com"), 3600, ArsoftName.Parse("ns1.example.com"), ArsoftName.Parse("hostmaster.example.com"), 2024010101, 7200, 900, 1209600, 300),
            new Arsoft.DsRecord(
                ArsoftName.Parse("example.com"), Arsoft.RecordClass.INet, 86400, 20326, Arsoft.DnsSecAlgorithm.EcDsaP256Sha256, Arsoft.DnsSecDigestType.Sha256, Bytes(32, seed: 1)),
            new Arsoft.DnsKeyRecord(
                ArsoftName.Parse("example.com"), Arsoft.RecordClass.INet, 3600, Arsoft.DnsKeyFlags.Zone | Arsoft.DnsKeyFlags.SecureEntryPoint, 3, Arsoft.DnsSecAlgorithm.EcDsaP256Sha256, Bytes(64, seed: 2), null),
            new Arsoft.RrSigRecord(
                owner, Arsoft.RecordClass.INet, 300, Arsoft.RecordType.A, Arsoft.DnsSecAlgorithm.EcDsaP256Sha256, 3, 300,
                new DateTime(2026, 12, 31, 23, 59, 59, DateTimeKind.Utc), new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), 20326, ArsoftName.Parse("example.com"), Bytes(64, seed: 3)),
            new Arsoft.NSecRecord(
                owner, Arsoft.RecordClass.INet, 300, ArsoftName.Parse("xyz.example.com"),
                [Arsoft.RecordType.A, Arsoft.RecordType.Mx, Arsoft.RecordType.Aaaa, Arsoft.RecordType.RrSig, Arsoft.RecordType.NSec, Arsoft.RecordType.CAA]),
            new Arsoft.NSec3Record(
                ArsoftName.Parse("2vptu5timamqttgl4luu9kg21e0aor3s.example.com"), Arsoft.RecordClass.INet, 300, Arsoft.NSec3HashAlgorithm.Sha1, Arsoft.NSec3Flags.OptOut, 10,
                [0xAA, 0xBB, 0xCC, 0xDD], Bytes(20, seed: 4), [Arsoft.RecordType.Ns, Arsoft.RecordType.Ds, Arsoft.RecordType.RrSig]),
        ]);

        var ours = DnsMessage.Parse(Encode(message));
        var again = Arsoft.DnsMessage.Parse(new ArraySegment<byte>(Write(ours)));

        Assert.Equal(message.AnswerRecords.Count, ours.Answers.Count);
        Assert.Equal(message.AnswerRecords.Select(r => (int)r.RecordType), ours.Answers.Select(r => (int)r.Type));
        Assert.DoesNotContain(ours.Answers, r => r.Data is Resolver.Protocol.Records.UnknownData); // each read by its own schema, not kept as bytes
        Assert.Equal(message.AnswerRecords.Select(r => r.ToString()), again.AnswerRecords.Select(r => r.ToString()));
    }

    [Fact]
    public void MutatedResponses_ThatWeAccept_WeWriteSoThatArsoftReadsTheSameRecords()
    {
        var seeds = FixtureFiles.All().Where(m => DnsMessage.TryParse(m, out var parsed, out _) && parsed.IsResponse).ToArray();
        var random = new Random(20261202);
        var accepted = 0;
        var refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var mutant = (byte[])seeds[random.Next(seeds.Length)].Clone();
            mutant[random.Next(mutant.Length)] ^= (byte)(1 << random.Next(8));
            if (!DnsMessage.TryParse(mutant, out var ours, out _) || !ours.TryWrite(new byte[65535], out _) || HasEscapedBytes(ours))
            {
                continue;
            }

            accepted++;
            (Arsoft.DnsMessage Theirs, DnsMessage Back) roundTrip;
            try
            {
                roundTrip = ThroughArsoft(Write(ours));
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException or IndexOutOfRangeException or FormatException)
            {
                // A type we keep as opaque bytes (RFC 3597) whose mutated RDATA ARSoft reads by its own schema and refuses:
                // allowed only when there is such a record.
                Assert.True(Records(ours).Any(r => r.Data is Resolver.Protocol.Records.UnknownData), $"ARSoft refused {Convert.ToHexString(Write(ours))}: {e.Message}");
                refused++;
                continue;
            }

            AssertSameShape(ours, roundTrip.Theirs);
            AssertSameRecords(ours, roundTrip.Back);
        }

        Assert.True(accepted - refused > 1000, $"only {accepted - refused} mutants compared ({refused} refused by ARSoft): the check saw too little");
    }

    /// <summary>
    /// A byte we print as \DDD (outside printable ASCII) in a name or a string: ARSoft 3.6.1 keeps labels and
    /// character-strings as decoded text, so such bytes do not survive its round trip (its difference, not ours).
    /// </summary>
    private static bool HasEscapedBytes(DnsMessage message) =>
        message.Questions.Select(q => q.Name.ToString()).Concat(Records(message).Select(r => r.ToString())).Any(text => s_escapedByte.IsMatch(text));

    /// <summary>Our bytes parsed by ARSoft, and ARSoft's own encoding of what it parsed, parsed back here.</summary>
    private static (Arsoft.DnsMessage Theirs, DnsMessage Back) ThroughArsoft(byte[] wire)
    {
        var theirs = Arsoft.DnsMessage.Parse(new ArraySegment<byte>(wire));
        return (theirs, DnsMessage.Parse(Encode(theirs)));
    }

    private static void AssertSameShape(DnsMessage ours, Arsoft.DnsMessage theirs)
    {
        Assert.Equal(ours.Id, theirs.TransactionID);
        Assert.Equal((int)ours.ResponseCode, (int)theirs.ReturnCode);
        Assert.Equal(ours.Answers.Select(Key), theirs.AnswerRecords.Select(Key));
        Assert.Equal(ours.Authorities.Select(Key), theirs.AuthorityRecords.Select(Key));
    }

    private static (string Name, int Type, int Ttl) Key(Resolver.Protocol.Records.DnsResourceRecord record) =>
        (record.Name.ToString().ToLowerInvariant(), (int)record.Type, (int)record.Ttl);

    private static (string Name, int Type, int Ttl) Key(Arsoft.DnsRecordBase record) =>
        (record.Name.ToString().ToLowerInvariant(), (int)record.RecordType, record.TimeToLive);

    /// <summary>
    /// Every record the same as we print it, but two kinds ARSoft does not give back byte for byte, its differences, not
    /// ours: TXT records with bytes above 0x7F (ARSoft 3.6.1 reads a character-string as a decoded string, where RFC 1035
    /// §3.3 says any octets), and records of a type we keep as opaque bytes (RFC 3597) that ARSoft interprets (CSYNC,
    /// NAPTR …): it reads a mutated RDATA by its schema and writes it back normalized.
    /// </summary>
    private static void AssertSameRecords(DnsMessage ours, DnsMessage back)
    {
        var left = Records(ours)
            .Where(r => r.Data is Resolver.Protocol.Records.TxtData txt && txt.Strings.Any(s => s.Any(b => b > 0x7F))
                || (r.Data is Resolver.Protocol.Records.UnknownData && !IsUnknownToArsoft(r)))
            .Select(Key).ToHashSet();
        Assert.Equal(Printed(ours, left), Printed(back, left));
    }

    private static bool IsUnknownToArsoft(Resolver.Protocol.Records.DnsResourceRecord record) =>
        !Enum.IsDefined(typeof(Arsoft.RecordType), (Arsoft.RecordType)(ushort)record.Type);

    private static List<string> Printed(DnsMessage message, HashSet<(string Name, int Type, int Ttl)> left) =>
        [.. Records(message).Where(r => !left.Contains(Key(r))).Select(r => r.ToString())];

    private static IEnumerable<Resolver.Protocol.Records.DnsResourceRecord> Records(DnsMessage message) =>
        message.Answers.Concat(message.Authorities).Concat(message.Additionals);

    /// <summary><paramref name="length"/> bytes that differ from one <paramref name="seed"/> to another: key, digest and signature material.</summary>
    private static byte[] Bytes(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 37) + (seed * 101)))];

    private static byte[] Write(DnsMessage message)
    {
        var buffer = new byte[65535];
        Assert.True(message.TryWrite(buffer, out var written));
        return buffer[..written];
    }

    private static byte[] Encode(Arsoft.DnsMessage message)
    {
        var package = s_encode.Invoke(message, null)!;
        var segment = (ArraySegment<byte>)package.GetType().GetMethod("ToArraySegment")!.Invoke(package, [false])!;
        return segment.ToArray();
    }
}
