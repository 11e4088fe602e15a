using Resolver.Core.Tests.Upstreams;

namespace Resolver.Benchmarks.Load;

/// <summary>
/// The tests' misbehaving upstream as a process of its own, for benchmarks/load/harness.sh: UDP and TCP on
/// 127.0.0.1:PORT, misbehaving in one <see cref="FakeBehavior"/> (or "slow": correct answers 800 ms late).
/// Its zone is empty, so it answers NXDOMAIN for the harness's names, as NSD does. It stops on SIGTERM or
/// Ctrl+C, and by itself after ten minutes.
/// </summary>
internal static class FakeUpstreamServer
{
    public const string Switch = "--fake-upstream";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(string mode, int port, TextWriter output)
    {
        await using var fake = await FakeUpstream.StartAsync(port);
        if (mode == "slow")
        {
            fake.Delay = TimeSpan.FromMilliseconds(800);
        }
        else
        {
            fake.Behavior = Enum.Parse<FakeBehavior>(mode, ignoreCase: true);
        }

        using var stop = new CancellationTokenSource(Lifetime);
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        output.WriteLine($"fake upstream on {fake.EndPoint}: {mode}");
        await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        output.WriteLine($"fake upstream {mode}: {fake.UdpQueries} UDP and {fake.TcpQueries} TCP queries");
    }
}
