using Microsoft.Extensions.Options;

namespace Resolver.Admin;

/// <summary>Registers and maps the admin API: /api/v1 (bearer tokens), health, and the OpenAPI document.</summary>
internal static class AdminApi
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminTokens>();
        services.AddSingleton<FleetFlusher>();
        services.AddHttpClient(FleetFlusher.ClientName);
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
        HealthEndpoints.Map(app);
        var api = app.MapGroup("/api/v1");
        CacheEndpoints.Map(api);
        UpstreamEndpoints.Map(api);
        WatchEndpoints.Map(api);
        app.MapOpenApi().AddEndpointFilter(new BearerTokenFilter(AdminRole.Read));
        return app;
    }
}
