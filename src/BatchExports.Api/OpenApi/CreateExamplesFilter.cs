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
public sealed class CreateExamplesFilter : IOperationFilter
{
    public static IReadOnlyDictionary<string, JsonObject> Examples() => new Dictionary<string, JsonObject>
    {
        [DestinationCatalog.S3] = Body("Hourly events to S3", DestinationCatalog.S3, new JsonObject
        {
            ["bucket_name"] = "my-bucket",
            ["region"] = "us-east-1",
            ["prefix"] = "posthog-events/",
            ["aws_access_key_id"] = "AKIAIOSFODNN7EXAMPLE",
            ["aws_secret_access_key"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ["file_format"] = "JSONLines",
            ["compression"] = "gzip",
        }),
        [DestinationCatalog.Postgres] = Body("Hourly events to Postgres", DestinationCatalog.Postgres, new JsonObject
        {
            ["user"] = "exporter",
            ["password"] = "a-strong-password",
            ["host"] = "db.example.com",
            ["port"] = 5432,
            ["database"] = "analytics",
            ["schema"] = "public",
            ["table_name"] = "events",
        }),
        [DestinationCatalog.Redshift] = Body("Hourly events to Redshift", DestinationCatalog.Redshift, new JsonObject
        {
            ["user"] = "exporter",
            ["password"] = "a-strong-password",
            ["host"] = "cluster.abc123.us-east-1.redshift.amazonaws.com",
            ["port"] = 5439,
            ["database"] = "analytics",
            ["schema"] = "public",
            ["table_name"] = "events",
        }),
        [DestinationCatalog.Http] = Body("Hourly events to PostHog's ingestion endpoint", DestinationCatalog.Http, new JsonObject
        {
            ["url"] = "https://us.i.posthog.com/batch/",
            ["token"] = "phc_ProjectApiTokenOfTheReceivingProject",
        }),
        [DestinationCatalog.NoOp] = Body("A NoOp export (runs without writing anywhere)", DestinationCatalog.NoOp, new JsonObject()),
    };

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
            media.Examples = Examples().ToDictionary(
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
