using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// Describes each destination type's config (its keys, types, defaults, required keys and write-only secrets) and
/// makes the destination in request bodies a <c>oneOf</c> over the types, discriminated by <c>type</c>, so a
/// generated client knows what an S3 destination needs and that a Postgres one takes different keys.
/// </summary>
public sealed class DestinationSchemasFilter(DestinationRegistry destinations) : IDocumentFilter
{
    private const string WriteSchema = SchemaNames.DestinationWrite;

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components?.Schemas;
        if (schemas == null || !schemas.ContainsKey(WriteSchema))
        {
            return;
        }

        var oneOf = new List<IOpenApiSchema>();
        var mapping = new Dictionary<string, OpenApiSchemaReference>();
        foreach (var definition in destinations.Definitions)
        {
            var type = definition.Type;
            var configName = $"{SchemaName(type)}DestinationConfig";
            var destinationName = $"{SchemaName(type)}DestinationWrite";
            schemas[configName] = ConfigSchema(definition, destinations.SecretKeys(type), document);
            schemas[destinationName] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = $"{definition.Description} (PostHog workflow '{definition.WorkflowName}').",
                Required = new HashSet<string> { "type", "config" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(type)] },
                    ["config"] = new OpenApiSchemaReference(configName, document),
                    ["integration"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Integer | JsonSchemaType.Null,
                        Description = "Not supported by this server (credentials go in config); must be null or absent.",
                    },
                },
            };
            var reference = new OpenApiSchemaReference(destinationName, document);
            oneOf.Add(reference);
            mapping[type] = reference;
        }

        schemas[WriteSchema] = new OpenApiSchema
        {
            Description = "Where the export goes. On PATCH the config is merged into the stored one, so secrets may be omitted.",
            OneOf = oneOf,
            Discriminator = new OpenApiDiscriminator { PropertyName = "type", Mapping = mapping },
        };
    }

    private static OpenApiSchema ConfigSchema(IDestinationDefinition definition, IReadOnlySet<string> secretKeys, OpenApiDocument document)
    {
        var properties = new Dictionary<string, IOpenApiSchema>();
        foreach (var field in definition.Fields)
        {
            properties[field.Name] = FieldSchema(field, secretKeys.Contains(field.Name), document);
        }

        foreach (var field in DestinationConfigRules.BaseFields.Where(f => f.Kind == ConfigValueKind.StringList))
        {
            properties[field.Name] = FieldSchema(field, secret: false, document);
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = properties,
            Required = definition.Fields.Where(f => f.Required).Select(f => f.Name).ToHashSet(),
            Description = secretKeys.Count == 0
                ? null
                : $"Secret keys ({string.Join(", ", secretKeys)}) are write-only: never returned.",
        };
    }

    private static IOpenApiSchema FieldSchema(ConfigField field, bool secret, OpenApiDocument document)
    {
        var schema = field.Shape is { } shape
            ? ShapeSchema(shape, document)
            : new OpenApiSchema
            {
                Type = field.Kind switch
                {
                    ConfigValueKind.String => JsonSchemaType.String,
                    ConfigValueKind.Integer => JsonSchemaType.Integer,
                    ConfigValueKind.Boolean => JsonSchemaType.Boolean,
                    ConfigValueKind.StringList => JsonSchemaType.Array | JsonSchemaType.Null,
                    _ => null,
                },
                Items = field.Kind == ConfigValueKind.StringList ? new OpenApiSchema { Type = JsonSchemaType.String } : null,
            };
        schema.WriteOnly = secret;
        schema.Description = Describe(field);
        return schema;
    }

    /// <summary>
    /// A field documented by its <see cref="ConfigFieldShape"/>. A closed set that is one of the wire's named enums
    /// (<see cref="EnumSchemas"/>: file formats, compressions) refers to it, so a client gets one type for it.
    /// </summary>
    private static OpenApiSchema ShapeSchema(ConfigFieldShape shape, OpenApiDocument document)
    {
        if (shape.Choices is { } choices)
        {
            var schemas = document.Components!.Schemas!;
            var named = schemas.FirstOrDefault(s => s.Value is OpenApiSchema { Enum: { } values }
                && values.Select(v => v?.GetValue<string>()).SequenceEqual(choices)).Key;
            if (named != null)
            {
                return shape.Nullable
                    ? WireSchemasFilter.NullableCopy(schemas, named)
                    : new OpenApiSchema { AllOf = [new OpenApiSchemaReference(named, document)] };
            }

            return new OpenApiSchema
            {
                Type = JsonSchemaType.String | (shape.Nullable ? JsonSchemaType.Null : 0),
                // A JSON null is a null JsonNode; validators check enum before nullable, so null must be listed.
                Enum = [.. choices.Select(c => (JsonNode)JsonValue.Create(c)), .. shape.Nullable ? new JsonNode[] { null! } : []],
            };
        }

        var type = shape.Type switch
        {
            ConfigFieldType.String => JsonSchemaType.String,
            ConfigFieldType.Integer => JsonSchemaType.Integer,
            _ => JsonSchemaType.Object,
        };
        return new OpenApiSchema
        {
            Type = type | (shape.Nullable ? JsonSchemaType.Null : 0),
            Minimum = shape.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AdditionalProperties = shape.Type == ConfigFieldType.Object ? new OpenApiSchema() : null,
        };
    }

    /// <summary>
    /// Defaults are told in words, not as <c>default</c>: openapi-typescript (by default) types a property with a
    /// default as required, and a client would then have to send every defaulted key.
    /// </summary>
    private static string? Describe(ConfigField field)
    {
        var text = field.Description;
        if (field.Default is { } value)
        {
            text = (text == null ? "" : text + " ") + $"Default: {value.ToJsonString()}.";
        }

        return text;
    }

    /// <summary>PostHog's schema names spell types in Pascal case (<c>HTTP</c> → <c>Http</c>).</summary>
    private static string SchemaName(string type) =>
        type.All(char.IsUpper) && type.Length > 2 ? type[0] + type[1..].ToLowerInvariant() : type;
}
