using Resolver.Core.Pipeline;
using Resolver.Core.Telemetry;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Telemetry;

public sealed class ResolverMetricsTests
{
    [Fact]
    public void QueriesByRcode_SumsOverTransportsAndTypes_AndLeavesOutRcodesNeverSent()
    {
        using var metrics = new ResolverMetrics();
        metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.A, (int)DnsResponseCode.NoError);
        metrics.QueryAnswered(DnsTransport.Tcp, DnsRecordType.MX, (int)DnsResponseCode.NoError);
        metrics.QueryAnswered(DnsTransport.Udp, DnsRecordType.AAAA, (int)DnsResponseCode.NXDomain);
        metrics.QueryAnswered(DnsTransport.Udp, (DnsRecordType)65280, 4000);

        var byRcode = metrics.QueriesByRcode();

        Assert.Equal(new Dictionary<string, long> { ["NOERROR"] = 2, ["NXDOMAIN"] = 1, ["OTHER"] = 1 }, byRcode);
    }
}
