using BenchmarkDotNet.Running;

namespace Resolver.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --filter '*'
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --entry-footprint
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --fake-upstream MODE PORT   (for benchmarks/load/harness.sh)
    private static async Task Main(string[] args)
    {
        if (args is [Cache.EntryFootprint.Switch])
        {
            Cache.EntryFootprint.Run(Console.Out);
            return;
        }

        if (args is [Load.FakeUpstreamServer.Switch, var mode, var port])
        {
            await Load.FakeUpstreamServer.RunAsync(mode, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
