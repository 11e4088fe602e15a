using System.Net;
using System.Net.Sockets;
using Resolver.Core.Listeners;

namespace Resolver.Core.Tests.Listeners;

/// <summary>recvmmsg and sendmmsg over a real loopback socket (Linux).</summary>
public class DatagramBatchTests
{
    [Fact]
    public async Task DatagramsAlreadyQueued_AreTakenInOneReceive_AndEachAnswerGoesToItsSender()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // recvmmsg and sendmmsg are Linux calls; elsewhere the listener receives one datagram per call
        }

        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var clients = Enumerable.Range(0, 5).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))).ToList();
        using var batch = new DatagramBatch(maxDatagram: 512, maxAnswer: 512);
        try
        {
            for (var i = 0; i < clients.Count; i++)
            {
                await clients[i].SendAsync(new byte[] { (byte)i, 1, 2 }, (IPEndPoint)server.LocalEndPoint!);
            }

            await Task.Delay(50); // all five wait in the socket's queue
            var count = batch.Receive(server.SafeHandle);
            for (var i = 0; i < count; i++)
            {
                var datagram = batch.Datagram(i);
                batch.Queue(batch.Sender(i), [datagram[0], 42]);
            }

            var error = batch.Send(server.SafeHandle);
            var replies = await Task.WhenAll(clients.Select(c => c.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5))));

            Assert.Equal(clients.Count, count);
            Assert.Null(error);
            Assert.Equal(Enumerable.Range(0, 5).Select(i => new byte[] { (byte)i, 42 }), replies.Select(r => r.Buffer));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task AReceiveThatDoesNotWait_TakesNothingFromAnEmptySocket_AndAnswersGoToAnyAddressGiven()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var first = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var second = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var batch = new DatagramBatch(maxDatagram: 512, maxAnswer: 512);

        var taken = batch.Receive(server.SafeHandle, wait: false); // a blocking socket, and yet no wait
        batch.Queue(Address((IPEndPoint)second.Client.LocalEndPoint!), [2]);
        batch.Queue(Address((IPEndPoint)first.Client.LocalEndPoint!), [1]);
        var error = batch.Send(server.SafeHandle);
        var replies = await Task.WhenAll(first.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5)), second.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(0, taken);
        Assert.Null(error);
        Assert.Equal([[1], [2]], replies.Select(r => r.Buffer));
    }

    private static byte[] Address(IPEndPoint endPoint)
    {
        var address = endPoint.Serialize();
        return address.Buffer[..address.Size].ToArray();
    }
}
