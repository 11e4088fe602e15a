using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>
/// Registers and maps the admin API: /api/v1 (bearer tokens), health, and the OpenAPI document. Authentication and
/// authorization run as middleware, before an endpoint reads its body.
/// </summary>
internal static class AdminApi
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminTokens>();
        services.AddSingleton<FleetFlusher>();
        services.AddHttpClient(FleetFlusher.ClientName);
        services.AddBearerAuthentication();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default));
        services.AddOpenApi();
        return services;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        // Creates the token at start-up (and logs where), not at the first call.
        _ = app.Services.GetRequiredService<AdminTokens>();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();

        HealthEndpoints.Map(app);
        var api = app.MapGroup("/api/v1").RequireAuthorization(BearerAuthentication.ReadPolicy);
        CacheEndpoints.Map(api);
        UpstreamEndpoints.Map(api);
        WatchEndpoints.Map(api);
        app.MapOpenApi().RequireAuthorization(BearerAuthentication.ReadPolicy);
        return app;
    }
}
