using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Resolver.Admin;

/// <summary>
/// The domain name in a route's <c>{name}</c> segment (/cache/{name}, /watch/{name}), percent-decoded exactly once from
/// the request target as the client sent it (the CLI escapes it with Uri.EscapeDataString). The route value alone cannot
/// give it: the server has already decoded every escape in the path but %2F, which it leaves escaped so as not to split
/// the segment. Taken as it is, "a%2Fb.example" keeps its escape; decoded again, an escaped '%' (%25) is read as the start
/// of a second escape ("a%2541" would become "aA").
/// </summary>
internal static class RouteName
{
    /// <summary>
    /// The segment of <paramref name="parameter"/> in the request target, decoded once; <paramref name="routeValue"/> when
    /// the target cannot be lined up with the route (not origin-form, or dot segments the server removed).
    /// </summary>
    public static string Decode(HttpContext http, string routeValue, string parameter = "name")
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is null || !target.StartsWith('/') || http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return routeValue;
        }

        var path = target.AsSpan(0, target.IndexOf('?') is var query and >= 0 ? query : target.Length).TrimEnd('/');
        var segments = path[1..].ToString().Split('/');
        var skipped = http.Request.PathBase.Value is { Length: > 0 } pathBase ? pathBase.Trim('/').Split('/').Length : 0;
        var pattern = endpoint.RoutePattern.PathSegments;
        var index = IndexOf(pattern, parameter);
        if (index < 0 || segments.Length - skipped != pattern.Count)
        {
            return routeValue;
        }

        return Uri.UnescapeDataString(segments[skipped + index]);
    }

    private static int IndexOf(IReadOnlyList<RoutePatternPathSegment> segments, string parameter)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Parts is [RoutePatternParameterPart part] && part.Name == parameter)
            {
                return i;
            }
        }

        return -1;
    }
}
