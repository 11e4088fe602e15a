using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Resolution;

/// <summary>Plain questions through the resolver to NSD, asked with dig and kdig over UDP and TCP.</summary>
public sealed class AnswerTests(ResolverStackFixture fixture) : IClassFixture<ResolverStackFixture>
{
    [Theory]
    [InlineData("A", "192.0.2.10")]
    [InlineData("AAAA", "2001:db8::10")]
    public async Task Www_is_answered_with_recursion_available(string type, string address)
    {
        var response = await Dig.QueryAsync(fixture.Port, "www.test.example", type);

        Assert.True(response.Status == "NOERROR", response.Text);
        Assert.Contains("ra", response.Flags);
        var record = Assert.Single(response.Answer);
        Assert.Equal(("www.test.example.", type, address), (record.Name, record.Type, record.Data));
    }

    [Fact]
    public async Task Missing_name_is_NXDOMAIN_with_the_SOA_in_authority()
    {
        var response = await Dig.QueryAsync(fixture.Port, "doesnotexist.test.example", "A");

        Assert.True(response.Status == "NXDOMAIN", response.Text);
        Assert.Empty(response.Answer);
        var soa = Assert.Single(response.Authority);
        Assert.Equal(("test.example.", "SOA"), (soa.Name, soa.Type));
        Assert.StartsWith("ns1.test.example. hostmaster.test.example. 2024010101 ", soa.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_type_is_NODATA_with_the_SOA_in_authority()
    {
        var response = await Dig.QueryAsync(fixture.Port, "www.test.example", "TXT");

        Assert.True(response.Status == "NOERROR", response.Text);
        Assert.Empty(response.Answer);
        var soa = Assert.Single(response.Authority);
        Assert.Equal(("test.example.", "SOA"), (soa.Name, soa.Type));
    }

    [Fact]
    public async Task Query_over_tcp_is_answered()
    {
        var response = await Dig.QueryAsync(fixture.Port, "+tcp", "mail.test.example", "MX");

        Assert.True(response.Status == "NOERROR", response.Text);
        Assert.Equal(
            ["10 mx1.test.example.", "20 mx2.test.example."],
            response.Answer.Where(r => r.Type == "MX").Select(r => r.Data).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Kdig_gets_the_answer_too()
    {
        var response = await Dig.KdigAsync(fixture.Port, "www.test.example", "A");

        Assert.True(response.Status == "NOERROR", response.Text);
        Assert.Contains("ra", response.Flags);
        var record = Assert.Single(response.Answer);
        Assert.Equal(("www.test.example.", "A", "192.0.2.10"), (record.Name, record.Type, record.Data));
    }
}
