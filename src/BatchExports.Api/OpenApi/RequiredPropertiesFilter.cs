using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// The server writes every property of a response, null or not (WireJson never omits nulls), so every response
/// property is required; whether it may be null is the property's own <c>nullable</c>. Request bodies keep their
/// properties optional on the schema level: which are required depends on the operation (create vs PATCH).
/// </summary>
public sealed class RequiredPropertiesFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && concrete.Properties is { Count: > 0 } properties && SchemaNames.IsResponse(context.Type))
        {
            concrete.Required = new SortedSet<string>(properties.Keys, StringComparer.Ordinal);
        }
    }
}
