using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>Sends a flush to every configured peer in parallel, each with a timeout; one peer down does not fail the others.</summary>
internal sealed class FleetFlusher(IHttpClientFactory clients, IOptions<AdminOptions> options)
{
    public const string ClientName = "fleet";

    public async Task<IReadOnlyList<PeerFlushResult>> FlushAsync(FlushRequest request, CancellationToken cancellationToken)
    {
        var local = request with { Fleet = false }; // peers flush themselves only: no loops
        var peers = options.Value.Peers;
        return await Task.WhenAll(peers.Select(peer => FlushPeerAsync(peer, local, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<PeerFlushResult> FlushPeerAsync(PeerOptions peer, FlushRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.FleetTimeout);
        try
        {
            using var client = clients.CreateClient(ClientName);
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(peer.Url), "/api/v1/cache/flush"))
            {
                Content = JsonContent.Create(request, AdminJson.Default.FlushRequest),
            };
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", peer.Token);
            using var response = await client.SendAsync(message, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                return new PeerFlushResult(peer.Name, peer.Url, null, $"HTTP {(int)response.StatusCode}: {Truncate(body)}");
            }

            var result = await response.Content.ReadFromJsonAsync(AdminJson.Default.FlushResponse, timeout.Token).ConfigureAwait(false);
            return result is null
                ? new PeerFlushResult(peer.Name, peer.Url, null, "empty response")
                : new PeerFlushResult(peer.Name, peer.Url, result.Removed, null, result.Entries, result.Truncated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PeerFlushResult(peer.Name, peer.Url, null, $"no answer within {options.Value.FleetTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or UriFormatException)
        {
            return new PeerFlushResult(peer.Name, peer.Url, null, e.Message);
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
