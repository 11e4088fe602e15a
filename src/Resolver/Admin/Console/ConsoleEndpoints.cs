namespace Resolver.Admin.Console;

/// <summary>
/// The operator console: <c>/</c> is its page, <c>/console/{file}</c> its script and style. They hold no data and
/// need no token; the page signs in with a token kept in the browser's session storage and calls /api/v1 with it,
/// the same routes as the CLI. Every response carries a strict Content-Security-Policy (no inline script or style,
/// same-origin only), so a hostile string in a cache record cannot run as script in an operator's browser.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void Map(WebApplication app)
    {
        var files = new ConsoleFiles();
        app.MapGet("/", (HttpContext http) => Serve(http, files.Find("index.html")))
            .ExcludeFromDescription();
        app.MapGet("/console/{file}", (string file, HttpContext http) => Serve(http, files.Find(file)))
            .ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext http, ConsoleFile? file)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store"; // a resolver upgrade must not leave an old script talking to a new API
        return file is null ? Results.NotFound() : Results.Bytes(file.Content, file.ContentType);
    }
}
