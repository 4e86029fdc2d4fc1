using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// What reflection over the wire records cannot tell: which string properties are closed sets, what the free-form
/// JSON members hold, which request fields a create needs, and the PATCH body (PostHog's <c>PatchedBatchExport</c>,
/// nothing required, the destination config merged into the stored one).
/// </summary>
public sealed class WireSchemasFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components!.Schemas!;
        foreach (var (name, schema) in EnumSchemas.All())
        {
            schemas[name] = schema;
        }

        Ref(schemas, SchemaNames.BatchExport, "model", EnumSchemas.Model, document);
        Ref(schemas, SchemaNames.BatchExport, "interval", EnumSchemas.Interval, document);
        Set(schemas, SchemaNames.BatchExport, "schema", Nullable(FreeObject("The export's schema (fields and table) when a custom one is set; null otherwise.")));
        Set(schemas, SchemaNames.BatchExport, "filters", Nullable(FilterList()));
        foreach (var request in new[] { SchemaNames.BatchExportRequest, "BatchExportRunTestStepNewRequest" })
        {
            Ref(schemas, request, "model", EnumSchemas.Model, document);
            Ref(schemas, request, "interval", EnumSchemas.Interval, document);
            Set(schemas, request, "filters", Nullable(FilterList()));
        }

        Ref(schemas, "BatchExportDestination", "type", EnumSchemas.DestinationType, document);
        Set(schemas, "BatchExportDestination", "config", FreeObject("The destination's settings, without its secret keys."));
        Ref(schemas, "BatchExportRun", "status", EnumSchemas.RunStatus, document);
        foreach (var backfill in new[] { "BatchExportBackfill", "BatchExportBackfillCreated" })
        {
            Ref(schemas, backfill, "status", EnumSchemas.BackfillStatus, document);
            Set(schemas, backfill, "progress", Nullable(new OpenApiSchemaReference("BatchExportBackfillProgress", document)));
        }

        Ref(schemas, "LogEntry", "level", EnumSchemas.LogLevel, document);
        Ref(schemas, SchemaNames.Error, "type", EnumSchemas.ErrorType, document);
        Ref(schemas, SchemaNames.Error, "code", EnumSchemas.ErrorCode, document);
        Ref(schemas, "BatchExportDestinationTestStepResult", "status", EnumSchemas.TestStepStatus, document);
        if (schemas.TryGetValue("BatchExportDestinationTestStep", out var step) && step is OpenApiSchema stepSchema && stepSchema.Properties?["result"] is { } result)
        {
            stepSchema.Properties["result"] = Nullable(result is OpenApiSchema { AllOf: [var inner] } ? inner : result);
        }

        if (schemas.TryGetValue(SchemaNames.BatchExportRequest, out var write) && write is OpenApiSchema writeSchema)
        {
            schemas[SchemaNames.PatchedBatchExport] = Patched(writeSchema, document);
            writeSchema.Required = new SortedSet<string>(["destination", "interval", "name"], StringComparer.Ordinal);
            UsePatchedBodies(document);
        }

        if (schemas.TryGetValue("BatchExportRunTestStepNewRequest", out var draft) && draft is OpenApiSchema draftSchema)
        {
            draftSchema.Required = new SortedSet<string>(["destination"], StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// OpenAPI 3.0 cannot put <c>nullable</c> beside a <c>$ref</c>: wrap the reference in an <c>allOf</c>, with the
    /// referenced schema's <paramref name="type"/> (3.0 ignores <c>nullable</c> without a <c>type</c>).
    /// </summary>
    public static OpenApiSchema Nullable(IOpenApiSchema schema, JsonSchemaType type = JsonSchemaType.Object) => schema is OpenApiSchema inline
        ? Merge(inline)
        : new OpenApiSchema { AllOf = [schema], Type = type | JsonSchemaType.Null };

    private static OpenApiSchema Merge(OpenApiSchema inline)
    {
        var copy = (OpenApiSchema)inline.CreateShallowCopy();
        copy.Type = (copy.Type ?? JsonSchemaType.Object) | JsonSchemaType.Null;
        return copy;
    }

    private static OpenApiSchema FreeObject(string description) =>
        new() { Type = JsonSchemaType.Object, AdditionalPropertiesAllowed = true, Description = description };

    private static OpenApiSchema FilterList() => new()
    {
        Type = JsonSchemaType.Array,
        Description = "Filters applied to the exported rows, each with a type of event, person or hogql.",
        Items = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalPropertiesAllowed = true },
    };

    private static void Ref(IDictionary<string, IOpenApiSchema> schemas, string schemaName, string property, string target, OpenApiDocument document)
    {
        if (schemas.TryGetValue(schemaName, out var schema) && schema is OpenApiSchema { Properties: { } properties } && properties.ContainsKey(property))
        {
            // Never nullable: requests answer "This field may not be null." and responses always carry a value.
            properties[property] = new OpenApiSchemaReference(target, document);
        }
    }

    private static void Set(IDictionary<string, IOpenApiSchema> schemas, string schemaName, string property, IOpenApiSchema value)
    {
        if (schemas.TryGetValue(schemaName, out var schema) && schema is OpenApiSchema { Properties: { } properties } && properties.ContainsKey(property))
        {
            properties[property] = value;
        }
    }

    private static OpenApiSchema Patched(OpenApiSchema write, OpenApiDocument document)
    {
        var patched = (OpenApiSchema)write.CreateShallowCopy();
        patched.Description = "The fields to change; absent fields keep their values. The destination config is merged into the stored one, so secrets may be omitted.";
        patched.Required = new HashSet<string>();
        patched.Properties = new Dictionary<string, IOpenApiSchema>(write.Properties!);
        patched.Properties["destination"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Keys of config are merged into the stored config; type may not change to another destination type's keys without them.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchemaReference(EnumSchemas.DestinationType, document),
                ["config"] = FreeObject("Config keys to set (see the per-type config schemas)."),
                ["integration"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null },
            },
        };
        return patched;
    }

    private static void UsePatchedBodies(OpenApiDocument document)
    {
        foreach (var item in document.Paths.Values)
        {
            if (item.Operations?.TryGetValue(HttpMethod.Patch, out var patch) == true
                && patch.RequestBody?.Content?.TryGetValue("application/json", out var body) == true && body is OpenApiMediaType json)
            {
                json.Schema = new OpenApiSchemaReference(SchemaNames.PatchedBatchExport, document);
            }
        }
    }
}
