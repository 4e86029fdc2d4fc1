using BatchExports.Core.Domain.Destinations;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// What reflection over the wire records cannot tell: which string properties are closed sets, what the free-form
/// JSON members hold, which request fields a create needs, and the PATCH body (PostHog's <c>PatchedBatchExport</c>,
/// nothing required, the destination config merged into the stored one).
/// </summary>
public sealed class WireSchemasFilter(DestinationRegistry destinations) : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components!.Schemas!;

        // Swashbuckle closes every record (additionalProperties: false). The server ignores unknown request keys, and
        // a response may gain a field; a closed schema would make validators and generated clients refuse both.
        foreach (var schema in schemas.Values.OfType<OpenApiSchema>())
        {
            schema.AdditionalPropertiesAllowed = true;
        }

        foreach (var (name, schema) in EnumSchemas.All(destinations))
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
            Set(schemas, request, "name", new OpenApiSchema { Type = JsonSchemaType.String, Description = "A human-readable name for this BatchExport." });
        }

        Ref(schemas, "BatchExportDestination", "type", EnumSchemas.DestinationType, document);
        Set(schemas, "BatchExportDestination", "config", FreeObject("The destination's settings, without its secret keys."));
        Ref(schemas, "BatchExportRun", "status", EnumSchemas.RunStatus, document);
        foreach (var backfill in new[] { "BatchExportBackfill", "BatchExportBackfillCreated" })
        {
            Ref(schemas, backfill, "status", EnumSchemas.BackfillStatus, document);
            Set(schemas, backfill, "progress", NullableCopy(schemas, "BatchExportBackfillProgress"));
        }

        Ref(schemas, "LogEntry", "level", EnumSchemas.LogLevel, document);
        Ref(schemas, SchemaNames.Error, "type", EnumSchemas.ErrorType, document);
        Ref(schemas, SchemaNames.Error, "code", EnumSchemas.ErrorCode, document);
        Ref(schemas, "BatchExportDestinationTestStepResult", "status", EnumSchemas.TestStepStatus, document);
        Set(schemas, "BatchExportDestinationTestStep", "result", NullableCopy(schemas, "BatchExportDestinationTestStepResult"));
        Set(schemas, "FileSettingsRequest", "format", Described(NullableCopy(schemas, EnumSchemas.FileFormat), schemas, "FileSettingsRequest", "format"));
        Set(schemas, "FileSettingsRequest", "compression", Described(NullableCopy(schemas, EnumSchemas.Compression), schemas, "FileSettingsRequest", "compression"));

        if (schemas.TryGetValue(SchemaNames.BatchExportRequest, out var write) && write is OpenApiSchema writeSchema)
        {
            schemas[SchemaNames.PatchedBatchExport] = Patched(writeSchema, document);
            schemas[PatchedDestination] = PatchedDestinationSchema(document);
            Set(schemas, "BatchExportRunTestStepRequest", "destination", new OpenApiSchemaReference(PatchedDestination, document));
            writeSchema.Required = new SortedSet<string>(["destination", "interval", "name"], StringComparer.Ordinal);
            UsePatchedBodies(document);
        }

        if (schemas.TryGetValue("BatchExportRunTestStepNewRequest", out var draft) && draft is OpenApiSchema draftSchema)
        {
            draftSchema.Required = new SortedSet<string>(["destination"], StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// A nullable copy of a component, inline. Validators (Prism) do not combine 3.0's <c>nullable</c> with an
    /// <c>allOf</c> reference to an object, so a null there would be reported as a violation.
    /// </summary>
    public static OpenApiSchema NullableCopy(IDictionary<string, IOpenApiSchema> schemas, string name)
    {
        var copy = Nullable((OpenApiSchema)schemas[name]);
        if (copy.Enum is { Count: > 0 } values)
        {
            // A JSON null is a null JsonNode; validators check enum before nullable, so null must be listed.
            copy.Enum = [.. values, null!];
        }

        return copy;
    }

    /// <summary>Keeps the description the property had before it was replaced.</summary>
    private static OpenApiSchema Described(OpenApiSchema replacement, IDictionary<string, IOpenApiSchema> schemas, string schemaName, string property)
    {
        if (schemas.TryGetValue(schemaName, out var schema) && schema is OpenApiSchema { Properties: { } properties }
            && properties.TryGetValue(property, out var old))
        {
            replacement.Description = old.Description;
        }

        return replacement;
    }

    private static OpenApiSchema Nullable(OpenApiSchema inline)
    {
        var copy = (OpenApiSchema)inline.CreateShallowCopy();
        copy.Type = (copy.Type ?? JsonSchemaType.Object) | JsonSchemaType.Null;
        return copy;
    }

    private static OpenApiSchema FreeObject(string description) =>
        new() { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema(), Description = description };

    private static OpenApiSchema FilterList() => new()
    {
        Type = JsonSchemaType.Array,
        Description = "Filters applied to the exported rows, each with a type of event, person or hogql.",
        Items = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = new OpenApiSchema() },
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
        patched.Properties["destination"] = new OpenApiSchemaReference(PatchedDestination, document);
        return patched;
    }

    private const string PatchedDestination = "PatchedBatchExportDestination";

    private static OpenApiSchema PatchedDestinationSchema(OpenApiDocument document) => new()
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
