using System.Text.Json.Nodes;
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
            options.OperationFilter<OperationResponsesFilter>();
            options.OperationFilter<ParametersFilter>();
            options.OperationFilter<CreateExamplesFilter>();
            options.SchemaFilter<RequiredPropertiesFilter>();
            options.DocumentFilter<WireSchemasFilter>();
            options.DocumentFilter<DestinationSchemasFilter>();
            options.DocumentFilter<PostHogPathsFilter>();
            options.SupportNonNullableReferenceTypes();
            options.CustomSchemaIds(SchemaNames.For);
            options.CustomOperationIds(OperationIds.For);

            // .NET's JSON DOM types would otherwise be described member by member ({options, parent, root}).
            options.MapType<JsonNode>(() => new OpenApiSchema());
            options.MapType<JsonObject>(() => new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema() });
            options.MapType<JsonArray>(() => new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema() });
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
        app.UseSwagger(options =>
        {
            options.RouteTemplate = "api/schema/{documentName}.json";

            // Generated clients and Swagger UI's "Try it out" call the host that served the document.
            options.PreSerializeFilters.Add((document, request) =>
                document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host}{request.PathBase}" }]);
        });
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "api/schema/swagger-ui";
            options.SwaggerEndpoint("/api/schema/", "BatchExports API");
            options.DocumentTitle = "BatchExports API";
            options.EnablePersistAuthorization();
            options.EnableTryItOutByDefault();
            options.DisplayOperationId();
        });
        return app;
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
