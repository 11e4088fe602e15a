using System.Text.Json.Nodes;

namespace Resolver.EndToEnd.Peers;

/// <summary>Two NSDs serving the same zone and one resolver that asks them in order: #1 first, #2 when #1 fails.</summary>
internal sealed class ResolverStack : IAsyncDisposable
{
    private ResolverStack(Nsd first, Nsd second, ResolverProcess resolver)
    {
        First = first;
        Second = second;
        Resolver = resolver;
    }

    public Nsd First { get; }

    public Nsd Second { get; }

    public ResolverProcess Resolver { get; }

    /// <summary>The resolver's DNS port, for dig.</summary>
    public int Port => Resolver.DnsPort;

    /// <param name="configure">Changes to the resolver's generated configuration (see <see cref="ResolverProcess.StartAsync"/>).</param>
    public static async Task<ResolverStack> StartAsync(TimeSpan? maxCacheTtl = null, Action<JsonObject>? configure = null)
    {
        var first = await Nsd.StartAsync();
        Nsd? second = null;
        try
        {
            second = await Nsd.StartAsync();
            var resolver = await ResolverProcess.StartAsync([first.Port, second.Port], maxCacheTtl, configure);
            return new ResolverStack(first, second, resolver);
        }
        catch
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Resolver.DisposeAsync();
        }
        finally
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
        }
    }
}
