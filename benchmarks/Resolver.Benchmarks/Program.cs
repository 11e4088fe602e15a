using BenchmarkDotNet.Running;

namespace Resolver.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --filter '*'
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --entry-footprint
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --fake-upstream MODE PORT   (for benchmarks/load/harness.sh)
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --fuzz SECONDS [SEED]     (mutation fuzzing, exit 1 on a defect)
    private static async Task<int> Main(string[] args)
    {
        if (args is [Fuzzing.QueryFuzzer.Switch, var seconds, .. var rest])
        {
            var seed = rest is [var given] ? int.Parse(given, System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
            return await Fuzzing.QueryFuzzer.RunAsync(TimeSpan.FromSeconds(int.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)), seed, Console.Out);
        }

        if (args is [Cache.EntryFootprint.Switch])
        {
            Cache.EntryFootprint.Run(Console.Out);
            return 0;
        }

        if (args is [Load.FakeUpstreamServer.Switch, var mode, var port])
        {
            await Load.FakeUpstreamServer.RunAsync(mode, int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), Console.Out);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
