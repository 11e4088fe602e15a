using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Telemetry;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Upstreams;

/// <summary>
/// Asks the upstreams one question: picks the pool (per-domain forwarders), orders its servers by
/// policy, tries them within the attempt budget (next server on timeout, SERVFAIL, REFUSED or garbage),
/// optionally hedges a slow try, and retries a truncated UDP answer over TCP. Reports health.
/// </summary>
public sealed partial class UpstreamClient : IDisposable
{
    private readonly UpstreamRegistry _registry;
    private readonly IOptionsMonitor<UpstreamOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamClient> _logger;
    private readonly ResolverMetrics _metrics;
    private readonly SemaphoreSlim _outstanding;

    public UpstreamClient(
        UpstreamRegistry registry, IOptionsMonitor<UpstreamOptions> options, TimeProvider time, ResolverMetrics metrics, ILogger<UpstreamClient> logger)
    {
        _metrics = metrics;
        _registry = registry;
        _options = options;
        _time = time;
        _logger = logger;
        _outstanding = new SemaphoreSlim(options.CurrentValue.MaxOutstanding);
    }

    /// <summary>Replaces certificate validation for DNS-over-TLS; null (the default) is the system's chain and name checks. For tests.</summary>
    internal System.Net.Security.RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>Resolves a question; never throws for network trouble, which is an outcome.</summary>
    public async Task<UpstreamResult> ResolveAsync(
        byte[] name, DnsRecordType type, DnsClass @class, bool dnssecOk, bool checkingDisabled, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var pool = _registry.PoolFor(name);
        var order = pool.Order(options.Exploration);
        if (order.Length == 0)
        {
            return new UpstreamResult(UpstreamOutcome.NetworkError, null, null, "no upstream is configured or usable");
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task<UpstreamResult>>();
        var last = new UpstreamResult(UpstreamOutcome.Timeout, null, null, "no attempt made");
        var next = 0;

        // The next try goes to the next server in policy order, wrapping round within the attempt budget.
        void Launch() => running.Add(AttemptAsync(order[next++ % order.Length], name, type, @class, dnssecOk, checkingDisabled, options, done.Token));

        try
        {
            while (true)
            {
                if (running.Count == 0)
                {
                    if (next >= options.MaxAttempts)
                    {
                        return last;
                    }

                    Launch();
                }

                var hedge = options.Hedging && next < options.MaxAttempts
                    ? Task.Delay(options.HedgeDelay, _time, done.Token)
                    : null;
                var finished = await Task.WhenAny(hedge is null ? running : [.. running, hedge]).ConfigureAwait(false);
                if (finished == hedge)
                {
                    Launch();
                    continue;
                }

                var result = await ((Task<UpstreamResult>)finished).ConfigureAwait(false);
                running.Remove((Task<UpstreamResult>)finished);
                if (result.IsAnswer || cancellationToken.IsCancellationRequested)
                {
                    return result;
                }

                last = result;
            }
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends a probe (". NS") to a down server; success brings it back up.</summary>
    public async Task<bool> ProbeAsync(UpstreamServer server, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(server, [0], DnsRecordType.NS, DnsClass.IN, false, false, _options.CurrentValue, cancellationToken).ConfigureAwait(false);
        return result.IsAnswer;
    }

    public void Dispose() => _outstanding.Dispose();

    private async Task<UpstreamResult> AttemptAsync(
        UpstreamServer server, byte[] name, DnsRecordType type, DnsClass @class, bool dnssecOk, bool checkingDisabled, UpstreamOptions options, CancellationToken cancellationToken)
    {
        if (!_outstanding.Wait(0, CancellationToken.None))
        {
            _metrics.UpstreamFailed(server, UpstreamOutcome.Overloaded);
            return new UpstreamResult(UpstreamOutcome.Overloaded, null, server, "too many upstream queries in flight");
        }

        server.BeginQuery();
        _metrics.UpstreamQueried(server);
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var query = UpstreamQuery.Create(name, type, @class, dnssecOk, checkingDisabled, options.CaseRandomization);
            var response = await ExchangeAsync(server, query, linked.Token).ConfigureAwait(false);
            var result = Classify(server, response);
            if (result.IsAnswer)
            {
                var elapsed = _time.GetElapsedTime(started);
                server.ReportSuccess(elapsed);
                _metrics.UpstreamAnswered(server, elapsed);
            }
            else
            {
                server.ReportFailure(result.Outcome, result.Error ?? string.Empty, options.Timeout, options);
                _metrics.UpstreamFailed(server, result.Outcome);
            }

            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new UpstreamResult(UpstreamOutcome.Timeout, null, server, "cancelled: another upstream answered first");
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            var outcome = e is OperationCanceledException ? UpstreamOutcome.Timeout : UpstreamOutcome.NetworkError;
            var error = e is OperationCanceledException ? $"no answer within {options.Timeout.TotalMilliseconds} ms" : e.Message;
            server.ReportFailure(outcome, error, options.Timeout, options);
            _metrics.UpstreamFailed(server, outcome);
            LogAttemptFailed(_logger, server.Name, outcome, error);
            return new UpstreamResult(outcome, null, server, error);
        }
        finally
        {
            server.EndQuery();
            _outstanding.Release();
        }
    }

    private async Task<byte[]> ExchangeAsync(UpstreamServer server, UpstreamQuery query, CancellationToken cancellationToken)
    {
        if (server.Transport != UpstreamTransport.Udp)
        {
            var tls = server.Transport == UpstreamTransport.Tls;
            return await StreamExchange.SendAsync(server, query, tls, CertificateValidation, cancellationToken).ConfigureAwait(false);
        }

        var response = await UdpExchange.SendAsync(server.EndPoint, query, cancellationToken).ConfigureAwait(false);
        var truncated = DnsHeader.TryRead(response, out var header) && header.Truncated;
        return truncated
            ? await StreamExchange.SendAsync(server, query, tls: false, validation: null, cancellationToken).ConfigureAwait(false)
            : response;
    }

    private static UpstreamResult Classify(UpstreamServer server, byte[] response)
    {
        if (!DnsMessage.TryParse(response, out var message, out var error))
        {
            return new UpstreamResult(UpstreamOutcome.Malformed, null, server, $"malformed response: {error}");
        }

        return message.ResponseCode switch
        {
            DnsResponseCode.NoError or DnsResponseCode.NXDomain => new UpstreamResult(UpstreamOutcome.Answer, response, server, null),
            DnsResponseCode.ServFail => new UpstreamResult(UpstreamOutcome.ServFail, null, server, "answered SERVFAIL"),
            DnsResponseCode.Refused => new UpstreamResult(UpstreamOutcome.Refused, null, server, "answered REFUSED"),
            var other => new UpstreamResult(UpstreamOutcome.Malformed, null, server, $"answered {other}"),
        };
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Upstream {Upstream} failed: {Outcome} ({Error})")]
    private static partial void LogAttemptFailed(ILogger logger, string upstream, UpstreamOutcome outcome, string error);
}
