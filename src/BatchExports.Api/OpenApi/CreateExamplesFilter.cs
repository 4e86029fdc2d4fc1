using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace BatchExports.Api.OpenApi;

/// <summary>
/// One create body per destination type, shown by Swagger UI as the request example: each is accepted as sent
/// (tests post them and expect 201), so a person can start from a working request instead of Swashbuckle's
/// generated placeholder, which the validators reject.
/// </summary>
public sealed class CreateExamplesFilter(DestinationRegistry destinations) : IOperationFilter
{
    /// <summary>One create body per registered type, from the example config its definition gives.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Examples(DestinationRegistry destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        return destinations.Definitions.ToDictionary(
            d => d.Type,
            d => Body($"Hourly events to {d.Type}", d.Type, d.ExampleConfig));
    }

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var isCreate = context.ApiDescription.HttpMethod == "POST"
            && context.ApiDescription.ActionDescriptor.RouteValues.TryGetValue("action", out var action) && action == "Create"
            && context.ApiDescription.RelativePath?.TrimEnd('/').EndsWith("/batch_exports", StringComparison.Ordinal) == true;
        if (!isCreate || operation.RequestBody?.Content == null)
        {
            return;
        }

        var organizationRoute = context.ApiDescription.RelativePath!.StartsWith("api/organizations/", StringComparison.Ordinal);
        foreach (var media in operation.RequestBody.Content.Values.OfType<OpenApiMediaType>())
        {
            media.Examples = Examples(destinations).ToDictionary(
                e => e.Key,
                e => (IOpenApiExample)new OpenApiExample
                {
                    Summary = (string)e.Value["name"]!,
                    Value = organizationRoute ? WithTeam(e.Value) : e.Value,
                });
        }
    }

    private static JsonObject WithTeam(JsonObject body)
    {
        var copy = body.DeepClone().AsObject();
        copy["team_id"] = 1;
        return copy;
    }

    private static JsonObject Body(string name, string type, JsonObject config) => new()
    {
        ["name"] = name,
        ["model"] = "events",
        ["interval"] = "hour",
        ["destination"] = new JsonObject { ["type"] = type, ["config"] = config },
    };
}
