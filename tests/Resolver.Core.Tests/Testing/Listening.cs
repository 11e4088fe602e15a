using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Resolver.Core.Listeners;
using Resolver.Core.Pipeline;

namespace Resolver.Core.Tests.Testing;

/// <summary>The listeners over a harness's pipeline on a loopback port of the kernel's choice; stopped when disposed.</summary>
internal sealed class Listening : IAsyncDisposable
{
    private bool _stopped;

    private Listening(DnsListenerService service) => Service = service;

    public DnsListenerService Service { get; }

    public IPEndPoint EndPoint => Service.BoundEndPoints[0];

    public static DnsListenerService Create(ResolverHarness harness, DnsServerOptions options)
    {
        options.ApplyDefaults();
        return new DnsListenerService(
            harness.Processor, new AccessControl(options.AllowedNetworks), new TestOptions<DnsServerOptions>(options), harness.Metrics, NullLogger<DnsListenerService>.Instance);
    }

    public static async Task<Listening> StartAsync(ResolverHarness harness, DnsServerOptions options)
    {
        var service = Create(harness, options);
        await service.StartAsync(CancellationToken.None);
        return new Listening(service);
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await Service.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        Service.Dispose();
    }

    public static async Task WriteFrameAsync(Stream stream, byte[] message)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)message.Length);
        message.CopyTo(frame, 2);
        await stream.WriteAsync(frame);
    }

    public static async Task<byte[]> ReadFrameAsync(Stream stream)
    {
        var prefix = new byte[2];
        await stream.ReadExactlyAsync(prefix).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(message).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        return message;
    }

    /// <summary>Reads until the server closes the connection; the bytes read meanwhile (0 when it closed at once).</summary>
    public static async Task<int> ReadToEndAsync(Stream stream, TimeSpan within)
    {
        var buffer = new byte[4096];
        var total = 0;
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, deadline.Token);
            }
            catch (IOException e) when (e.InnerException is SocketException)
            {
                return total; // reset: closed too
            }

            if (read == 0)
            {
                return total;
            }

            total += read;
        }
    }
}
