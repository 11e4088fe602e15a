using System.Net;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;
using Resolver.Core.Tests.Testing;
using Verdict = Resolver.Core.Pipeline.ClientRateLimiter.Verdict;

namespace Resolver.Core.Tests.Pipeline;

public sealed class ClientRateLimiterTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void PastTheLimit_EverySlipthResponseSlips_TheRestAreDropped_UntilTheNextSecond()
    {
        var limiter = Limiter(new RateLimitOptions { ResponsesPerSecond = 3, Slip = 2 });
        var client = IPAddress.Parse("192.0.2.1");

        var verdicts = Enumerable.Range(0, 7).Select(_ => limiter.Check(client)).ToList();
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([Verdict.Answer, Verdict.Answer, Verdict.Answer, Verdict.Drop, Verdict.Slip, Verdict.Drop, Verdict.Slip], verdicts);
        Assert.Equal(Verdict.Answer, limiter.Check(client));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void SlipZero_DropsAll_SlipOne_SlipsAll(int slip, bool slips)
    {
        var pastTheLimit = slips ? Verdict.Slip : Verdict.Drop;
        var limiter = Limiter(new RateLimitOptions { ResponsesPerSecond = 1, Slip = slip });
        var client = IPAddress.Parse("192.0.2.1");
        limiter.Check(client);

        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal(pastTheLimit, limiter.Check(client)));
    }

    [Fact]
    public void AClientNetwork_IsCountedTogether_AndApartFromOthers()
    {
        var limiter = Limiter(new RateLimitOptions { ResponsesPerSecond = 2 });

        Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Parse("192.0.2.1")));
        Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Parse("192.0.2.200")));
        Assert.NotEqual(Verdict.Answer, limiter.Check(IPAddress.Parse("192.0.2.99"))); // same /24
        Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Parse("198.51.100.1")));
        Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Parse("2001:db8:0:1::1")));
        Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Parse("2001:db8:0:2::1")));
        Assert.NotEqual(Verdict.Answer, limiter.Check(IPAddress.Parse("2001:db8:0:3::1"))); // same /56
    }

    [Fact]
    public void Loopback_IsNeverLimited_ByDefault()
    {
        var limiter = Limiter(new RateLimitOptions { ResponsesPerSecond = 1 });

        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Loopback)));
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.IPv6Loopback)));
    }

    [Fact]
    public void Zero_TurnsLimitingOff()
    {
        var limiter = Limiter(new RateLimitOptions { ResponsesPerSecond = 0 });

        Assert.All(Enumerable.Range(0, 5000), _ => Assert.Equal(Verdict.Answer, limiter.Check(IPAddress.Parse("192.0.2.1"))));
    }

    [Fact]
    public void AReload_TakesTheNewLimit()
    {
        var options = new TestOptions<DnsServerOptions>(new DnsServerOptions { RateLimit = new RateLimitOptions { ResponsesPerSecond = 1, Slip = 0 } });
        var limiter = new ClientRateLimiter(options, _time);
        var client = IPAddress.Parse("192.0.2.1");
        limiter.Check(client);
        Assert.Equal(Verdict.Drop, limiter.Check(client));

        options.Reload(new DnsServerOptions { RateLimit = new RateLimitOptions { ResponsesPerSecond = 100 } });

        Assert.Equal(Verdict.Answer, limiter.Check(client));
    }

    [Theory]
    [InlineData(-1, 2, 24, 56, "Dns:RateLimit:ResponsesPerSecond")]
    [InlineData(10, 11, 24, 56, "Dns:RateLimit:Slip")]
    [InlineData(10, 2, 33, 56, "Dns:RateLimit:IPv4PrefixLength")]
    [InlineData(10, 2, 24, 129, "Dns:RateLimit:IPv6PrefixLength")]
    public void BadSettings_AreRejectedNamingTheKey(int perSecond, int slip, int v4, int v6, string key)
    {
        var options = new DnsServerOptions { Listen = ["127.0.0.1:0"], RateLimit = new RateLimitOptions { ResponsesPerSecond = perSecond, Slip = slip, IPv4PrefixLength = v4, IPv6PrefixLength = v6 } };

        var result = new DnsServerOptionsValidator().Validate(null, options);

        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    private ClientRateLimiter Limiter(RateLimitOptions limit) =>
        new(new TestOptions<DnsServerOptions>(new DnsServerOptions { RateLimit = limit }), _time);
}
