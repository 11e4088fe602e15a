namespace Resolver.Admin;

/// <summary>
/// Warns at start when the admin API listens beyond loopback over plain http://: bearer tokens then cross the network
/// in clear. The URLs are Kestrel:Endpoints:*:Url when any are configured (they replace Admin:Urls), else Admin:Urls.
/// </summary>
internal static partial class ClearTextBindingCheck
{
    public static void Warn(IConfiguration configuration, string adminUrls, ILogger logger)
    {
        foreach (var url in ListenUrls(configuration, adminUrls).Where(AdminUrl.IsClearTextBeyondLoopback))
        {
            LogClearText(logger, url);
        }
    }

    /// <summary>The URLs Kestrel binds: its configured endpoints, else each of the ';'-separated <paramref name="adminUrls"/>.</summary>
    internal static IReadOnlyList<string> ListenUrls(IConfiguration configuration, string adminUrls)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        return endpoints.Count > 0 ? endpoints : adminUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "The admin API listens on {Url} without TLS: bearer tokens cross the network in clear. " +
        "Bind Admin:Urls to loopback, or serve it over HTTPS (README, \"Running the admin API over HTTPS (fleets)\")")]
    private static partial void LogClearText(ILogger logger, string url);
}
