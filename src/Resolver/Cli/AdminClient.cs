using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Resolver.Cli;

/// <summary>Calls the admin API with a bearer token; every failure becomes a <see cref="CliException"/> with a readable message.</summary>
internal sealed class AdminClient : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly AdminEndpoint _endpoint;

    public AdminClient(AdminEndpoint endpoint)
    {
        _endpoint = endpoint;
        _http = new HttpClient { Timeout = Timeout };
    }

    /// <summary>GET <paramref name="path"/> (relative to the base URL, e.g. "api/v1/upstreams"); returns the body of a 2xx answer.</summary>
    public Task<string> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, content: null, cancellationToken);

    /// <summary>POST <paramref name="body"/> as JSON; returns the body of a 2xx answer.</summary>
    public Task<string> PostAsync<T>(string path, T body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body, typeInfo), cancellationToken);

    /// <summary>PUT <paramref name="body"/> as JSON; returns the body of a 2xx answer.</summary>
    public Task<string> PutAsync<T>(string path, T body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, path, JsonContent.Create(body, typeInfo), cancellationToken);

    /// <summary>DELETE <paramref name="path"/>, or POST it with no body; returns the body of a 2xx answer.</summary>
    public Task<string> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken) =>
        SendAsync(method, path, content: null, cancellationToken);

    /// <summary>Reads a 2xx body as <typeparamref name="T"/>.</summary>
    public static T Read<T>(string body, JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo) ?? throw new CliException("The resolver sent an empty answer.");
        }
        catch (JsonException e)
        {
            throw new CliException($"The resolver sent an answer this CLI does not understand: {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<string> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        var url = new Uri(_endpoint.BaseUrl, path);
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _endpoint.Token);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"{method} {url} failed: {Status(response)}: {Detail(body, response)}");
            }

            return body;
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new CliException(e.HttpRequestError == HttpRequestError.ConnectionError
                ? $"Cannot connect to the resolver's admin API at {_endpoint.BaseUrl}: {reason}. Is it running? (pass --url or set {AdminEndpoint.UrlVariable})"
                : $"{method} {url} failed: {reason}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"No answer from {_endpoint.BaseUrl} within {Timeout.TotalSeconds:0} s.");
        }
    }

    private static string Status(HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}";

    /// <summary>The problem details' detail (or title), else the body, else the status text.</summary>
    private static string Detail(string body, HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (ReadOnlySpan<string>)["detail", "title"])
                {
                    if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: show the body as it is.
        }

        var text = body.Trim();
        return text.Length > 0 ? text : response.StatusCode == HttpStatusCode.NotFound ? "no such endpoint (is this a resolver's admin URL?)" : "no details";
    }
}
