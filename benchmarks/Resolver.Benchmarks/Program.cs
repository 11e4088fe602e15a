using BenchmarkDotNet.Running;

namespace Resolver.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --filter '*'
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --entry-footprint
    private static void Main(string[] args)
    {
        if (args is [Cache.EntryFootprint.Switch])
        {
            Cache.EntryFootprint.Run(Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
