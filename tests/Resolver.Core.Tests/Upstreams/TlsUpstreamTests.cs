using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Resolver.Core.Tests.Testing;
using Resolver.Core.Upstreams;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Tests.Upstreams;

/// <summary>
/// DNS over TLS to a loopback server with a self-signed certificate for "dns.test". The test trusts
/// that certificate's chain (it has no CA) but nothing else, so the name check is the real one.
/// </summary>
public sealed class TlsUpstreamTests : IAsyncLifetime
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private X509Certificate2 _certificate = null!;
    private Task _serving = Task.CompletedTask;
    private readonly List<byte[]> _clientHellos = [];
    private int _queries;
    private int _handshakes;
    private bool _closeAfterEachAnswer;

    public Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=dns.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("dns.test");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        _certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        _listener.Start();
        _serving = ServeAsync(_stop.Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _certificate.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task Tls_WithTheCertificatesName_Answers()
    {
        await using var harness = await StartAsync("dns.test");

        var response = await harness.AskAsync("www.test.");

        Assert.Equal("192.0.2.99", Assert.Single(response!.Answers).Data.ToString());
        Assert.Equal(1, Volatile.Read(ref _queries));
    }

    [Fact]
    public async Task Tls_KeepsItsConnection_OneHandshakeForManyQuestions()
    {
        await using var harness = await StartAsync("dns.test");

        foreach (var name in new[] { "www.test.", "mail.test.", "ftp.test." })
        {
            Assert.Equal("192.0.2.99", Assert.Single((await harness.AskAsync(name))!.Answers).Data.ToString());
        }

        Assert.Equal(3, Volatile.Read(ref _queries));
        Assert.Equal(1, Volatile.Read(ref _handshakes));
    }

    [Fact]
    public async Task Tls_ANewConnectionResumesTheSession_NoFullHandshakeAfterTheFirst()
    {
        _closeAfterEachAnswer = true; // each question then needs a new connection
        await using var harness = await StartAsync("dns.test");

        foreach (var name in new[] { "www.test.", "mail.test." })
        {
            Assert.Equal("192.0.2.99", Assert.Single((await harness.AskAsync(name))!.Answers).Data.ToString());
        }

        Assert.Equal(2, Volatile.Read(ref _handshakes));
        byte[][] hellos;
        lock (_clientHellos)
        {
            hellos = [.. _clientHellos];
        }

        Assert.Equal(2, hellos.Length);
        Assert.False(ClientHello.OffersResumption(hellos[0]));
        Assert.True(ClientHello.OffersResumption(hellos[1]), "the second connection did not offer the first one's session");
    }

    [Fact]
    public async Task Tls_WithAnotherName_IsRejected()
    {
        await using var harness = await StartAsync("not-the-name.test");

        var response = await harness.AskAsync("www.test.");

        Assert.Equal(DnsResponseCode.ServFail, response!.ResponseCode);
        Assert.Equal(0, Volatile.Read(ref _queries));
        Assert.Contains("NetworkError", harness.Registry.All.Last().LastError, StringComparison.Ordinal);
    }

    private async Task<ResolverHarness> StartAsync(string tlsName)
    {
        var harness = await ResolverHarness.StartAsync(count: 0, upstreams: o =>
        {
            o.Servers = [new UpstreamServerOptions { Address = _listener.LocalEndpoint.ToString()!, Transport = UpstreamTransport.Tls, TlsName = tlsName }];
            o.MaxAttempts = 1;
        });

        // Accept only the missing CA; a name mismatch still fails.
        harness.Client.CertificateValidation = (_, certificate, _, errors) =>
            errors is SslPolicyErrors.None or SslPolicyErrors.RemoteCertificateChainErrors
            && certificate?.GetCertHashString() == _certificate.GetCertHashString();
        return harness;
    }

    private async Task ServeAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = AnswerAsync(client, stop);
        }
    }

    private async Task AnswerAsync(TcpClient client, CancellationToken stop)
    {
        using (client)
        {
            try
            {
                var recorded = new RecordingStream(client.GetStream());
                await using var tls = new SslStream(recorded);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, stop);
                lock (_clientHellos)
                {
                    _clientHellos.Add(recorded.Recorded);
                }

                Interlocked.Increment(ref _handshakes);
                var prefix = new byte[2];
                while (await tls.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, stop) == 2) // queries until the client closes
                {
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    await tls.ReadExactlyAsync(query, stop);
                    Interlocked.Increment(ref _queries);

                    var request = DnsMessage.Parse(query);
                    var response = DnsMessage.CreateResponse(request);
                    response.RecursionAvailable = true;
                    response.Answers.Add(new DnsResourceRecord(request.Questions[0].Name, 300, new AData(IPAddress.Parse("192.0.2.99"))));
                    var buffer = new byte[2 + 512];
                    response.TryWrite(buffer.AsSpan(2), out var written);
                    BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)written);
                    await tls.WriteAsync(buffer.AsMemory(0, 2 + written), stop);
                    if (_closeAfterEachAnswer)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                // the client rejected us (the name test) or went away
            }
        }
    }

    /// <summary>A stream that keeps the first bytes read through it: the client's first TLS record, its ClientHello.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private const int Limit = 4096;
        private readonly MemoryStream _recorded = new();

        public byte[] Recorded => _recorded.ToArray();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (_recorded.Length < Limit)
            {
                _recorded.Write(buffer.Span[..read]);
            }

            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>Reads a ClientHello (RFC 8446 §4.1.2) far enough to see whether it offers to resume a session.</summary>
    private static class ClientHello
    {
        private const int PreSharedKey = 41; // TLS 1.3 resumption (RFC 8446 §4.2.11)
        private const int SessionTicket = 35; // TLS 1.2 resumption (RFC 5077)

        public static bool OffersResumption(byte[] record)
        {
            Assert.True(record.Length > 43 && record[0] == 0x16 && record[5] == 0x01, "not a ClientHello");
            var at = 43; // record header 5, handshake header 4, version 2, random 32
            at += 1 + record[at]; // legacy session ID
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(at)); // cipher suites
            at += 1 + record[at]; // compression methods
            var end = at + 2 + BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(at));
            for (at += 2; at + 4 <= end; )
            {
                var type = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(at));
                var length = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(at + 2));
                if (type == PreSharedKey || (type == SessionTicket && length > 0))
                {
                    return true;
                }

                at += 4 + length;
            }

            return false;
        }
    }
}
