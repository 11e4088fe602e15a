using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Names;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>The query bytes an upstream receives, written without a message object.</summary>
public sealed class UpstreamQueryTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Wire_IsARecursiveQuery_WithTheQuestion_AndEdns1232(bool dnssecOk, bool checkingDisabled)
    {
        var query = UpstreamQuery.Create(DnsName.Parse("www.example.test.").Wire, DnsRecordType.AAAA, DnsClass.IN, dnssecOk, checkingDisabled, randomizeCase: false);

        var message = DnsMessage.Parse(query.Wire);

        Assert.Equal(query.Id, message.Id);
        Assert.False(message.IsResponse);
        Assert.True(message.RecursionDesired);
        Assert.True(message.AuthenticData); // asks a validating upstream to say so (RFC 6840 §5.7)
        Assert.Equal(checkingDisabled, message.CheckingDisabled);
        var question = Assert.Single(message.Questions);
        Assert.Equal("www.example.test.", question.Name.ToString());
        Assert.Equal(DnsRecordType.AAAA, question.Type);
        Assert.Equal(1232, message.Edns!.UdpPayloadSize);
        Assert.Equal(dnssecOk, message.Edns.DnssecOk);
        Assert.Empty(message.Additionals);
    }

    [Fact]
    public void IsAnsweredBy_WantsTheSameIdAndQuestion_InTheCaseSent()
    {
        var query = UpstreamQuery.Create(DnsName.Parse("www.example.test.").Wire, DnsRecordType.A, DnsClass.IN, false, false, randomizeCase: true);
        var answer = query.Wire.ToArray();
        answer[2] |= 0x80; // QR

        var otherCase = answer.ToArray();
        var letter = Array.FindIndex(otherCase, DnsHeader.Size, b => char.IsAsciiLetter((char)b));
        otherCase[letter] ^= 0x20;
        var otherId = answer.ToArray();
        otherId[1] ^= 1;

        Assert.True(query.IsAnsweredBy(answer));
        Assert.False(query.IsAnsweredBy(otherCase));
        Assert.False(query.IsAnsweredBy(otherId));
        Assert.False(query.IsAnsweredBy(query.Wire)); // a query, not a response
    }

    [Fact]
    public void Each_query_draws_its_own_id_and_a_case_for_every_letter()
    {
        var name = DnsName.Parse("a-long-label.and.another-one.example.test.").Wire.ToArray();
        var queries = Enumerable.Range(0, 64).Select(_ => UpstreamQuery.Create(name, DnsRecordType.A, DnsClass.IN, false, false, randomizeCase: true)).ToList();

        Assert.True(queries.Select(q => q.Id).Distinct().Count() >= 60); // 16 random bits each: a repeat or two at most
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsAsciiLetter((char)name[i]))
            {
                var cases = queries.Select(q => char.IsAsciiLetterUpper((char)q.Wire[DnsHeader.Size + i])).Distinct().Count();
                Assert.True(cases == 2, $"the letter at {i} was never randomized");
            }
        }
    }

    [Fact]
    public void CryptoRandom_hands_out_each_drawn_byte_once_across_its_refills()
    {
        var draws = Enumerable.Range(0, 300).Select(_ =>
        {
            var bytes = new byte[37]; // not a divisor of the 4 KB block: draws straddle refills
            CryptoRandom.Fill(bytes);
            return Convert.ToHexString(bytes);
        }).ToList();

        Assert.Equal(draws.Count, draws.Distinct().Count());
        Assert.DoesNotContain(draws, d => d.All(c => c == '0'));
    }
}
