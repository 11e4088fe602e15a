using BenchmarkDotNet.Running;

namespace Resolver.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project benchmarks/Resolver.Benchmarks -- --filter '*'
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
