using Resolver.EndToEnd.Peers;

namespace Resolver.EndToEnd.Resolution;

/// <summary>big.test.example has 40 TXT records (about 2.5 KB): too big for a 512-byte UDP answer.</summary>
public sealed class TruncationTests(ResolverStackFixture fixture) : IClassFixture<ResolverStackFixture>
{
    private const string Big = "big.test.example";
    private const int BigRecordCount = 40;

    [Fact]
    public async Task Udp_answer_over_the_client_buffer_size_is_truncated()
    {
        var response = await Dig.QueryAsync(fixture.Port, Big, "TXT", "+bufsize=512", "+ignore");

        Assert.True(response.Status == "NOERROR", response.Text);
        Assert.Contains("tc", response.Flags);
        Assert.Empty(response.Answer);
    }

    [Fact]
    public async Task Tcp_gets_the_whole_answer()
    {
        var response = await Dig.QueryAsync(fixture.Port, Big, "TXT", "+tcp");

        Assert.True(response.Status == "NOERROR", response.Text);
        Assert.DoesNotContain("tc", response.Flags);
        AssertAllBigRecords(response);
    }

    [Fact]
    public async Task Dig_retries_a_truncated_answer_over_tcp_and_gets_all_records()
    {
        var response = await Dig.QueryAsync(fixture.Port, Big, "TXT");

        Assert.True(response.Status == "NOERROR", response.Text);
        AssertAllBigRecords(response);
    }

    private static void AssertAllBigRecords(DigResponse response)
    {
        Assert.Equal(BigRecordCount, response.Answer.Count);
        var expected = Enumerable.Range(1, BigRecordCount).Select(i => $"\"big-txt-record-{i:00}-{new string('x', 42)}\"");
        Assert.Equal(expected, response.Answer.Select(r => r.Data).Order(StringComparer.Ordinal));
    }
}
