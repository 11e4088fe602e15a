using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Resolver.Core.Telemetry;
using Resolver.Protocol.Messages;
using Resolver.Protocol.Records;

namespace Resolver.Core.Upstreams;

/// <summary>
/// Asks the upstreams one question: picks the pool (per-domain forwarders), orders its servers by policy,
/// and sends one try at a time until an answer comes. The next try (to the next server within the RTT band)
/// goes when the last one's retransmit timeout runs out, or at once when a try fails (SERVFAIL, REFUSED,
/// garbage); earlier tries keep listening, so a late answer still wins. All of it within
/// <see cref="UpstreamOptions.QueryDeadline"/> and <see cref="UpstreamOptions.MaxAttempts"/> tries.
/// A truncated UDP answer is asked again over TCP, on a kept connection. Reports health and RTTs to each server.
/// </summary>
public sealed partial class UpstreamClient : IDisposable
{
    private static readonly object s_answered = new();
    private static readonly AnswerReader<object> s_anyAnswer = (_, _) => s_answered; // a probe wants a NOERROR or NXDOMAIN, nothing kept

    private readonly UpstreamRegistry _registry;
    private readonly IOptionsMonitor<UpstreamOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<UpstreamClient> _logger;
    private readonly ResolverMetrics _metrics;
    private readonly int _maxOutstanding;
    private int _outstanding; // tries out now; a counter, not a SemaphoreSlim, whose Wait(0) and Release each took a lock
    private readonly ConcurrentDictionary<UpstreamServer, StreamConnectionPool> _streams = new();
    private readonly ConcurrentDictionary<UpstreamServer, UdpSocketPool> _datagrams = new();

    public UpstreamClient(
        UpstreamRegistry registry, IOptionsMonitor<UpstreamOptions> options, TimeProvider time, ResolverMetrics metrics, ILogger<UpstreamClient> logger)
    {
        _metrics = metrics;
        _registry = registry;
        _options = options;
        _time = time;
        _logger = logger;
        _maxOutstanding = options.CurrentValue.MaxOutstanding;
        registry.Changed += Retire;
    }

    /// <summary>Replaces certificate validation for DNS-over-TLS; null (the default) is the system's chain and name checks. For tests.</summary>
    internal System.Net.Security.RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>Resolves a question, each answer read by <paramref name="read"/>; never throws for network trouble, which is an outcome.</summary>
    public Task<UpstreamResult<T>> ResolveAsync<T>(
        byte[] name, DnsRecordType type, DnsClass @class, bool dnssecOk, bool checkingDisabled, AnswerReader<T> read, CancellationToken cancellationToken)
        where T : class
    {
        var options = _options.CurrentValue;
        var order = _registry.PoolFor(name).Order(options.Exploration);
        return order.Length == 0
            ? Task.FromResult(new UpstreamResult<T>(UpstreamOutcome.NetworkError, null, null, "no upstream is configured or usable"))
            : AskAsync(order, options, name, type, @class, dnssecOk, checkingDisabled, read, cancellationToken);
    }

    /// <summary>
    /// Asks the question again of the pool's servers other than <paramref name="first"/>, which answered it: a second
    /// opinion (<see cref="UpstreamOptions.SecondOpinion"/>). Only servers that are up: a down one would keep the client
    /// waiting for nothing. Null when that is off or the pool has no other server up.
    /// </summary>
    public async Task<UpstreamResult<T>?> SecondOpinionAsync<T>(
        UpstreamServer first, byte[] name, DnsRecordType type, DnsClass @class, bool dnssecOk, bool checkingDisabled, AnswerReader<T> read, CancellationToken cancellationToken)
        where T : class
    {
        var options = _options.CurrentValue;
        if (!options.SecondOpinion)
        {
            return null;
        }

        var others = Array.FindAll(_registry.PoolFor(name).Order(exploration: 0), s => s != first && s.IsUsable);
        return others.Length == 0 ? null : await AskAsync(others, options, name, type, @class, dnssecOk, checkingDisabled, read, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The question to the servers of <paramref name="order"/> (at least one), first to last and round again.</summary>
    private async Task<UpstreamResult<T>> AskAsync<T>(
        UpstreamServer[] order,
        UpstreamOptions options,
        byte[] name,
        DnsRecordType type,
        DnsClass @class,
        bool dnssecOk,
        bool checkingDisabled,
        AnswerReader<T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        using var question = new QuestionTimer(_time, options.QueryDeadline, cancellationToken);
        var running = new List<Try<T>>(2);
        var last = new UpstreamResult<T>(UpstreamOutcome.Timeout, null, null, "no attempt made");
        var sent = 0;

        void Launch()
        {
            var attempt = new Try<T>(sent++ == 0 ? order[0] : NextAfter(order, running.Count > 0 ? running[^1].Server : last.Server ?? order[0]));
            attempt.Task = AttemptAsync(attempt.Server, name, type, @class, dnssecOk, checkingDisabled, read, options, question, attempt);
            running.Add(attempt);
            question.Watch(attempt.Task);
        }

        bool MaySend() => sent < options.MaxAttempts && !question.IsCancellationRequested;

        try
        {
            Launch();
            while (running.Count > 0)
            {
                var latest = running[^1];
                var rto = latest.Server.RetransmitTimeout(options.Timeout);
                var wait = options.Hedging && options.HedgeDelay < rto ? options.HedgeDelay : rto;
                question.Arm(MaySend() ? wait : null);
                await question.WaitAsync().ConfigureAwait(false);
                var done = Finished(running);
                if (done is null)
                {
                    if (question.RetransmitDue && MaySend())
                    {
                        if (wait == rto)
                        {
                            latest.Overdue = true;
                            latest.Server.ReportRetransmit(rto, options.Timeout);
                            _metrics.UpstreamRetransmitted(latest.Server);
                        }

                        Launch();
                    }

                    continue; // the deadline (its tries end now, cancelled) or a wake-up with nothing to do
                }

                running.Remove(done);
                var result = done.Task.GetAwaiter().GetResult(); // ended: no wait, and an exception comes out as itself
                if (result.IsAnswer)
                {
                    // Its earlier tries were lost packets, not a silent server: the answer speaks for it.
                    foreach (var other in running)
                    {
                        other.Overdue &= other.Server != done.Server;
                    }

                    return result;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return result;
                }

                last = result;
                if (MaySend())
                {
                    Launch(); // a try that failed outright: the next goes now
                }
            }

            return last;
        }
        finally
        {
            // The tries still out stop now; waiting for them (they end at once) settles what each reports of its server.
            question.Cancel();
            if (running.Count > 0)
            {
                await Task.WhenAll(Outstanding(running)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>The first try that has ended, if any.</summary>
    private static Try<T>? Finished<T>(List<Try<T>> running)
        where T : class
    {
        foreach (var attempt in running)
        {
            if (attempt.Task.IsCompleted)
            {
                return attempt;
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="server"/> answered negatively where another upstream had the answer: counted, and the server is
    /// asked after the others that are up for <see cref="UpstreamOptions.DisagreementDemotion"/>.
    /// </summary>
    public void ReportDisagreement(UpstreamServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        server.Demote(_options.CurrentValue.DisagreementDemotion);
        _metrics.UpstreamDisagreed(server);
    }

    /// <summary>The tries still out.</summary>
    private static Task[] Outstanding<T>(List<Try<T>> running)
        where T : class
    {
        var tasks = new Task[running.Count];
        for (var i = 0; i < running.Count; i++)
        {
            tasks[i] = running[i].Task;
        }

        return tasks;
    }

    /// <summary>
    /// The server for the next try: the one after <paramref name="previous"/> in policy order among those whose
    /// retransmit timeout lies within <see cref="UpstreamServer.RetransmitBand"/> of the best (Unbound's RTT band), so a retry
    /// does not wait on a server backed off to seconds while another answers in milliseconds.
    /// </summary>
    private static UpstreamServer NextAfter(UpstreamServer[] order, UpstreamServer previous)
    {
        var best = order.Min(s => s.RetransmitTimeoutMs);
        var start = Array.IndexOf(order, previous) + 1;
        for (var i = 0; i < order.Length; i++)
        {
            var candidate = order[(start + i) % order.Length];
            if (candidate.RetransmitTimeoutMs <= best + UpstreamServer.RetransmitBand.TotalMilliseconds)
            {
                return candidate;
            }
        }

        return previous;
    }

    /// <summary>Sends a probe (". NS") to a down server, waiting at most Upstreams:Timeout; success brings it back up.</summary>
    public async Task<bool> ProbeAsync(UpstreamServer server, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        using var question = new QuestionTimer(_time, options.Timeout, cancellationToken);
        var result = await AttemptAsync(server, [0], DnsRecordType.NS, DnsClass.IN, false, false, s_anyAnswer, options, question, new Try<object>(server) { IsProbe = true }).ConfigureAwait(false);
        return result.IsAnswer;
    }

    /// <summary>
    /// Closes the sockets and connections of servers a reload removed, once the questions that may still be asking
    /// them are past their deadline, so no query in flight fails for a reload.
    /// </summary>
    private void Retire(IReadOnlyList<UpstreamServer> removed)
    {
        if (removed.Count == 0)
        {
            return;
        }

        var after = _options.CurrentValue.QueryDeadline + TimeSpan.FromSeconds(1);
        _ = Task.Delay(after, _time).ContinueWith(
            _ =>
            {
                foreach (var server in removed)
                {
                    if (_streams.TryRemove(server, out var streams))
                    {
                        streams.Dispose();
                    }

                    if (_datagrams.TryRemove(server, out var datagrams))
                    {
                        datagrams.Dispose();
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public void Dispose()
    {
        foreach (var pool in _streams.Values)
        {
            pool.Dispose();
        }

        foreach (var pool in _datagrams.Values)
        {
            pool.Dispose();
        }
    }

    /// <summary>The persistent TCP (or, for a TLS upstream, DNS-over-TLS) connections to <paramref name="server"/>; a UDP upstream's serve its truncated answers.</summary>
    internal StreamConnectionPool Streams(UpstreamServer server) =>
        _streams.GetOrAdd(server, static (s, client) => new StreamConnectionPool(s, s.Transport == UpstreamTransport.Tls, client.CertificateValidation, client._time), this);

    /// <summary>The reused UDP sockets to <paramref name="server"/>.</summary>
    internal UdpSocketPool Datagrams(UpstreamServer server) => _datagrams.GetOrAdd(server, static (s, time) => new UdpSocketPool(s.EndPoint, time), _time); // no closure per try

    /// <summary>
    /// One try: waits until <paramref name="question"/> ends (answered elsewhere, or past its deadline). Ended by an
    /// answer from another server, it is this server's failure (a timeout) only if it is <see cref="Try.Overdue"/>:
    /// the next try went out because this one outlived its retransmit timeout.
    /// </summary>
    private async Task<UpstreamResult<T>> AttemptAsync<T>(
        UpstreamServer server,
        byte[] name,
        DnsRecordType type,
        DnsClass @class,
        bool dnssecOk,
        bool checkingDisabled,
        AnswerReader<T> read,
        UpstreamOptions options,
        QuestionTimer question,
        Try<T> attempt)
        where T : class
    {
        if (Interlocked.Increment(ref _outstanding) > _maxOutstanding)
        {
            Interlocked.Decrement(ref _outstanding);
            _metrics.UpstreamFailed(server, UpstreamOutcome.Overloaded);
            return new UpstreamResult<T>(UpstreamOutcome.Overloaded, null, server, "too many upstream queries in flight");
        }

        server.BeginQuery();
        _metrics.UpstreamQueried(server);
        var started = _time.GetTimestamp();
        try
        {
            var query = UpstreamQuery.Create(name, type, @class, dnssecOk, checkingDisabled, options.CaseRandomization);
            // Over the server's transport; a truncated UDP answer is asked again at once, over TCP to the same server, on a kept connection.
            ReadOnlyMemory<byte> response;
            if (server.Transport != UpstreamTransport.Udp)
            {
                response = await Streams(server).ExchangeAsync(query, question.Token).ConfigureAwait(false);
            }
            else
            {
                response = await Datagrams(server).ExchangeAsync(query, question.Token).ConfigureAwait(false);
                if (IsTruncated(response.Span))
                {
                    response = await Streams(server).ExchangeAsync(query, question.Token).ConfigureAwait(false);
                }
            }

            var result = Read(server, response.Span, read);
            if (result.IsAnswer)
            {
                var elapsed = _time.GetElapsedTime(started);
                server.ReportSuccess(elapsed);
                _metrics.UpstreamAnswered(server, elapsed);
            }
            else
            {
                ReportFailure(server, result.Outcome, result.Error ?? string.Empty, name, options, attempt.IsProbe);
            }

            return result;
        }
        catch (OperationCanceledException) when (question.IsCancellationRequested && !question.DeadlinePassed && !attempt.Overdue)
        {
            return new UpstreamResult<T>(UpstreamOutcome.Timeout, null, server, "cancelled: the question was answered elsewhere first");
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            // Cancelled past its retransmit timeout (the question was answered elsewhere) or at the deadline: this server was silent.
            var outcome = e is OperationCanceledException ? UpstreamOutcome.Timeout : UpstreamOutcome.NetworkError;
            var error = e is OperationCanceledException ? $"no answer within {_time.GetElapsedTime(started).TotalMilliseconds:F0} ms" : e.Message;
            ReportFailure(server, outcome, error, name, options, attempt.IsProbe);
            LogAttemptFailed(_logger, server.Name, outcome, error);
            return new UpstreamResult<T>(outcome, null, server, error);
        }
        finally
        {
            server.EndQuery();
            Interlocked.Decrement(ref _outstanding);
        }
    }

    /// <summary>A failed try: to the server's health record and to the metrics.</summary>
    private void ReportFailure(UpstreamServer server, UpstreamOutcome outcome, string error, byte[] name, UpstreamOptions options, bool probe)
    {
        server.ReportFailure(outcome, error, name, options, probe);
        _metrics.UpstreamFailed(server, outcome);
    }

    private static bool IsTruncated(ReadOnlySpan<byte> response) => DnsHeader.TryRead(response, out var header) && header.Truncated;

    /// <summary>
    /// The one place a response is judged: its RCODE from the header (SERVFAIL and REFUSED fail the try without
    /// a parse), then, for NOERROR and NXDOMAIN, the caller's single reading pass, which also rejects what it cannot use.
    /// </summary>
    private static UpstreamResult<T> Read<T>(UpstreamServer server, ReadOnlySpan<byte> response, AnswerReader<T> read)
        where T : class
    {
        if (!DnsHeader.TryRead(response, out var header))
        {
            return new UpstreamResult<T>(UpstreamOutcome.Malformed, null, server, "malformed response: shorter than a header");
        }

        switch ((DnsResponseCode)header.ResponseCodeLow)
        {
            case DnsResponseCode.ServFail:
                return new UpstreamResult<T>(UpstreamOutcome.ServFail, null, server, "answered SERVFAIL");
            case DnsResponseCode.Refused:
                return new UpstreamResult<T>(UpstreamOutcome.Refused, null, server, "answered REFUSED");
            case DnsResponseCode.NoError or DnsResponseCode.NXDomain:
                return read(response, server) is { } answer
                    ? new UpstreamResult<T>(UpstreamOutcome.Answer, answer, server, null)
                    : new UpstreamResult<T>(UpstreamOutcome.Malformed, null, server, "malformed response: it could not be read");
            case var other:
                return new UpstreamResult<T>(UpstreamOutcome.Malformed, null, server, $"answered {other}");
        }
    }

    /// <summary>One try of a question (or a probe): where it went, and whether the next try went out because this one was late.</summary>
    private sealed class Try<T>(UpstreamServer server)
        where T : class
    {
        private volatile bool _overdue;

        public UpstreamServer Server { get; } = server;

        public Task<UpstreamResult<T>> Task { get; set; } = null!;

        /// <summary>A health probe of a down server, not a client's question: its failure doubles the back-off.</summary>
        public bool IsProbe { get; init; }

        public bool Overdue
        {
            get => _overdue;
            set => _overdue = value;
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Upstream {Upstream} failed: {Outcome} ({Error})")]
    private static partial void LogAttemptFailed(ILogger logger, string upstream, UpstreamOutcome outcome, string error);
}
