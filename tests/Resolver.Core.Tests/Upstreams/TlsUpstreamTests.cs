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
    private int _queries;
    private int _handshakes;

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
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, stop);
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
                }
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                // the client rejected us (the name test) or went away
            }
        }
    }
}
