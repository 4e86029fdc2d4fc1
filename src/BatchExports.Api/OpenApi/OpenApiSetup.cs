using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/api/schema/</c> and Swagger UI at <c>/api/schema/swagger-ui/</c>.</summary>
public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string SecuritySchemeName = "PersonalAPIKeyAuth";
    private const string DocumentPath = "/api/schema/" + DocumentName + ".json";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "BatchExports API",
                Version = "1.0.0",
                Description = "PostHog-compatible batch exports: scheduled exports of events, persons and sessions to S3 and other destinations.",
            });
            options.AddSecurityDefinition(SecuritySchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A personal API key (phx_…), sent as `Authorization: Bearer <key>`.",
            });
            options.OperationFilter<SecurityOperationFilter>();
            options.DocumentFilter<DestinationSchemasFilter>();
            options.SupportNonNullableReferenceTypes();
            options.CustomOperationIds(OperationId);
        });
        return services;
    }

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        // PostHog serves its schema at /api/schema/; Swashbuckle wants a document name in the path.
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value is "/api/schema" or "/api/schema/")
            {
                context.Request.Path = DocumentPath;
            }

            return next(context);
        });
        app.UseSwagger(options => options.RouteTemplate = "api/schema/{documentName}.json");
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "api/schema/swagger-ui";
            options.SwaggerEndpoint("/api/schema/", "BatchExports API");
            options.DocumentTitle = "BatchExports API";
        });
        return app;
    }

    /// <summary>
    /// Unique and stable across the route families that share one controller:
    /// <c>projects_batch_exports_pause</c>, <c>environments_batch_exports_pause</c>, …
    /// </summary>
    private static string? OperationId(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription api)
    {
        if (!api.ActionDescriptor.RouteValues.TryGetValue("action", out var action) || api.RelativePath == null)
        {
            return null;
        }

        var segments = api.RelativePath.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s != "api" && !s.StartsWith('{'));
        return string.Join('_', segments.Append(action!.ToLowerInvariant()));
    }

    /// <summary>Marks every authenticated operation as needing a personal API key.</summary>
    private sealed class SecurityOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            {
                return;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
            });
        }
    }
}
