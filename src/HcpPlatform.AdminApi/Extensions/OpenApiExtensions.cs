using HcpPlatform.AdminApi.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HcpPlatform.AdminApi.Extensions;

/// <summary>The OpenAPI document (Microsoft.AspNetCore.OpenApi) at /openapi/v1.json and Swagger UI at /swagger, both served locally.</summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string UiPath = "swagger";

    public static IHostApplicationBuilder AddDefaultOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "HcpPlatform admin API",
                Version = "v1",
                Description = "Run the synthetic HCP data platform and see its state: generation control, data, validation, lineage. "
                    + "Every /api call needs an API key (header X-Api-Key): read keys for GET, admin keys for everything else. "
                    + "Create one with: hcp keys create --name NAME --scope read|admin.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyDefaults.Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyDefaults.HeaderName,
                Description = "An API key from 'hcp keys create'.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyDefaults.Scheme, document)] = [],
            });
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication UseDefaultOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = UiPath;
            ui.DocumentTitle = "HcpPlatform admin API";
            ui.SwaggerEndpoint(DocumentPath, "HcpPlatform admin API v1");
        });
        return app;
    }
}
