using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Resolver.Admin.Console;

namespace Resolver.Admin;

/// <summary>
/// Registers and maps the admin API: /api/v1 (bearer tokens), health, the OpenAPI document, and the operator console at /. Authentication,
/// the failed-authentication rate limit and authorization run as middleware, before an endpoint reads its body.
/// </summary>
internal static class AdminApi
{
    /// <summary>The largest request body the admin API reads (a flush or watch request is well under 1 KB).</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminTokens>();
        services.AddSingleton<FleetFlusher>();
        services.AddSingleton(provider => new AuditTrail(provider.GetService<TimeProvider>()));
        services.AddHttpClient(FleetFlusher.ClientName);
        services.AddBearerAuthentication();
        services.AddFailedAuthRateLimit();
        // The Kestrel server serves the admin API only, so its limit is the admin API's.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
            {
                context.ProblemDetails.Detail ??= $"The request body is larger than the admin API accepts ({MaxRequestBodyBytes / 1024} KB); nothing was changed.";
            }
        });
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default));
        services.AddOpenApi();
        return services;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        // Reads the token files (and creates the generated one) at start-up, not at the first call: a bad one stops start-up.
        _ = app.Services.GetRequiredService<AdminTokens>();
        var admin = app.Services.GetRequiredService<IOptions<AdminOptions>>().Value;
        ClearTextBindingCheck.Warn(app.Configuration, admin.Urls, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminApi).FullName!));

        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter(); // after authentication, which tells who is anonymous; before authorization, which answers them 401
        app.UseAuthorization();

        HealthEndpoints.Map(app);
        ConsoleEndpoints.Map(app);
        var api = app.MapGroup("/api/v1").RequireAuthorization(BearerAuthentication.ReadPolicy);
        CacheEndpoints.Map(api);
        UpstreamEndpoints.Map(api);
        WatchEndpoints.Map(api);
        AuditEndpoints.Map(api);
        app.MapOpenApi().RequireAuthorization(BearerAuthentication.ReadPolicy);
        return app;
    }
}
