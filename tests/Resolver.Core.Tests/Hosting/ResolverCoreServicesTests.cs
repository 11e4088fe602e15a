using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Resolver.Core.Cache;
using Resolver.Core.Hosting;
using Resolver.Core.Listeners;

namespace Resolver.Core.Tests.Hosting;

public sealed class ResolverCoreServicesTests
{
    [Fact]
    public void CacheSnapshot_StartsBeforeTheListeners_SoItLoadsBeforeTheFirstQuery_AndSavesAfterTheLast()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("Upstreams:Servers:0:Address", "127.0.0.1:9")]);
        builder.Services.AddResolverCore(builder.Configuration);
        using var host = builder.Build();

        // The host starts hosted services in this order and stops them in reverse.
        var order = host.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();

        var snapshot = order.IndexOf(typeof(CacheSnapshotService));
        Assert.InRange(snapshot, 0, order.IndexOf(typeof(DnsListenerService)) - 1);
    }
}
