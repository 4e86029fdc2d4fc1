using System.Text.Json.Nodes;
using BatchExports.Api.Runs;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// Path and query parameters typed as the server parses them: ids are integers or UUIDs, <c>limit</c> and
/// <c>offset</c> integers, <c>level</c>, <c>status</c> and <c>ordering</c> closed sets. The query records bind
/// strings so that the validators can answer PostHog's messages; the document describes what is accepted.
/// </summary>
public sealed class ParametersFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var parameters = operation.Parameters ??= [];

        // Computed members of the query records (LogParameters.Levels) are not parameters.
        foreach (var stray in parameters.Where(p => p.Name is { } name && name.Any(char.IsUpper)).ToList())
        {
            parameters.Remove(stray);
        }

        var path = context.ApiDescription.RelativePath ?? "";
        var action = context.ApiDescription.ActionDescriptor.RouteValues.TryGetValue("action", out var name) ? name : null;
        if (action == "List" && !path.Contains("/runs", StringComparison.Ordinal) && !path.Contains("/backfills", StringComparison.Ordinal))
        {
            parameters.Add(Query("limit", "Number of results to return per page.", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" }));
            parameters.Add(Query("offset", "The initial index from which to return the results.", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" }));
        }

        foreach (var parameter in parameters.OfType<OpenApiParameter>())
        {
            var schema = Schema(parameter.Name, path, context.Document);
            if (schema != null)
            {
                parameter.Schema = schema;
            }

            if (parameter.Name == "destination" && parameter.In == ParameterLocation.Query)
            {
                parameter.Required = true;
                parameter.Description = "The destination type whose test steps to list.";
            }
            else if (parameter.Name is "level" or "status")
            {
                parameter.Style = ParameterStyle.Form;
                parameter.Explode = true;
            }
        }
    }

    private static OpenApiParameter Query(string name, string description, OpenApiSchema schema) =>
        new() { Name = name, In = ParameterLocation.Query, Description = description, Schema = schema };

    private static IOpenApiSchema? Schema(string? name, string path, OpenApiDocument document) => name switch
    {
        "team_id" => new OpenApiSchema { Type = JsonSchemaType.Integer },
        "organization_id" or "batch_export_id" or "id" => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" },
        "limit" when path.EndsWith("/logs", StringComparison.Ordinal) => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "500", Default = JsonValue.Create(50) },
        "offset" => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" },
        "level" => new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(EnumSchemas.LogLevel, document) },
        "status" => new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(EnumSchemas.RunStatus, document) },
        "ordering" when path.Contains("/runs", StringComparison.Ordinal) => StringEnum(RunListParameters.Orderings),
        "ordering" => StringEnum(["created_at", "-created_at", "start_at", "-start_at"]),
        "destination" => new OpenApiSchemaReference(EnumSchemas.DestinationType, document),
        "after" or "before" when path.EndsWith("/logs", StringComparison.Ordinal) => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
        _ => null,
    };

    private static OpenApiSchema StringEnum(IEnumerable<string> values) =>
        new() { Type = JsonSchemaType.String, Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList() };
}
