using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Api.OpenApi;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Api.Tests.OpenApi;

/// <summary>
/// What can be checked of <c>/api/schema/</c> in-process; the third-party judges (Redocly, openapi-typescript + tsc,
/// Prism, Chromium) run in scripts/test through tests/openapi/judge.sh.
/// </summary>
public sealed class OpenApiDocumentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] Verbs = ["list", "retrieve", "create", "update", "partial_update", "destroy"];

    private async Task<JsonNode> DocumentAsync() => (await factory.CreateApiClient(null).GetAsync("/api/schema/")).Expect(HttpStatusCode.OK);

    private static List<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Operation: op.Value!)))
            .ToList();

    [Fact]
    public async Task EveryOperation_HasASuccessResponseWithItsSchema_AndTheErrorEnvelopeOnEveryError()
    {
        var operations = Operations(await DocumentAsync());

        Assert.True(operations.Count >= 61, $"only {operations.Count} operations documented");
        Assert.All(operations, o =>
        {
            var responses = o.Operation["responses"]!.AsObject();
            var success = Assert.Single(responses, r => r.Key.StartsWith('2'));
            if (o.Path.Contains("/download", StringComparison.Ordinal))
            {
                // A file download answers with the file itself.
                Assert.Equal("binary", (string?)success.Value!["content"]!["application/octet-stream"]!["schema"]!["format"]);
            }
            else if (success.Key != "204")
            {
                Assert.NotNull(success.Value!["content"]!["application/json"]!["schema"]);
            }

            Assert.NotNull(responses["401"]);
            Assert.NotNull(o.Operation["security"]);
            Assert.All(responses.Where(r => r.Key[0] is '4' or '5'), r =>
                Assert.Equal("#/components/schemas/Error", (string?)r.Value!["content"]!["application/json"]!["schema"]!["$ref"]));
        });
    }

    [Fact]
    public async Task OperationIds_AreUniqueInPostHogsStyle_WithoutDoubledVerbs()
    {
        var operations = Operations(await DocumentAsync());
        var ids = operations.Select(o => (string)o.Operation["operationId"]!).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            var verb = Verbs.OrderByDescending(v => v.Length).FirstOrDefault(v => id.EndsWith("_" + v, StringComparison.Ordinal));
            Assert.True(verb != null, $"{id} ends with no DRF verb");
            var stem = id[..^(verb!.Length + 1)];
            Assert.DoesNotContain(Verbs, v => stem.EndsWith("_" + v, StringComparison.Ordinal));
        });
        Assert.Contains("batch_exports_pause_create", ids);
        Assert.Contains("environments_batch_exports_runs_list", ids);
        Assert.Contains("batch_exports_runs_retrieve", ids);
        Assert.Contains("batch_exports_partial_update", ids);
        Assert.Contains("organizations_batch_exports_destroy", ids);
        Assert.Contains("batch_exports_run_test_step_new_create", ids);
    }

    [Fact]
    public async Task Paths_EndWithASlash_AndNameTheirParametersAsPostHog()
    {
        var document = await DocumentAsync();
        var operations = Operations(document);

        Assert.All(document["paths"]!.AsObject(), p => Assert.EndsWith("/", p.Key));
        Assert.DoesNotContain(document["paths"]!.AsObject(), p => p.Key.Contains("{team_id}", StringComparison.Ordinal));
        Assert.NotNull(document["paths"]!["/api/projects/{project_id}/batch_exports/{batch_export_id}/runs/{id}/"]);
        Assert.NotNull(document["paths"]!["/api/environments/{environment_id}/batch_exports/{id}/pause/"]);
        Assert.NotNull(document["paths"]!["/api/organizations/{organization_id}/batch_exports/"]);
        var parameters = operations.SelectMany(o => o.Operation["parameters"]?.AsArray() ?? []).ToList();
        Assert.All(parameters, p => Assert.DoesNotContain(((string)p!["name"]!), c => char.IsUpper(c)));
        Assert.All(parameters.Where(p => (string?)p!["name"] is "project_id" or "environment_id"), p => Assert.Equal("integer", (string?)p!["schema"]!["type"]));
        var logs = document["paths"]!["/api/projects/{project_id}/batch_exports/{id}/logs/"]!["get"]!["parameters"]!.AsArray();
        Assert.Equal("integer", (string?)logs.Single(p => (string?)p!["name"] == "limit")!["schema"]!["type"]);
        Assert.Equal("#/components/schemas/LogLevelEnum", (string?)logs.Single(p => (string?)p!["name"] == "level")!["schema"]!["items"]!["$ref"]);
        Assert.Equal("http://localhost", document["servers"]![0]!["url"]!.GetValue<string>().TrimEnd('/'));
    }

    [Fact]
    public async Task Schemas_HavePostHogsNames_Enums_RequiredAndNullableAsOnTheWire_AndNoJsonNode()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!;
        var text = document.ToJsonString();

        foreach (var name in new[] { "BatchExport", "PatchedBatchExport", "PaginatedBatchExportList", "BatchExportRun", "PaginatedBatchExportRunList",
                     "BatchExportBackfill", "PaginatedBatchExportBackfillList", "BatchExportDestination", "IntervalEnum", "ModelEnum",
                     "BatchExportDestinationTypeEnum", "BatchExportRunStatusEnum", "BatchExportBackfillStatusEnum", "Error", "ErrorTypeEnum", "ErrorCodeEnum" })
        {
            Assert.NotNull(schemas[name]);
        }

        Assert.DoesNotContain("\"parent\"", text);
        Assert.DoesNotContain("JsonNode", text);
        Assert.DoesNotContain("\"options\"", text);
        Assert.Contains("every 5 minutes", schemas["IntervalEnum"]!["enum"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("#/components/schemas/BatchExportRunStatusEnum", (string?)schemas["BatchExportRun"]!["properties"]!["status"]!["$ref"]);
        Assert.Equal("#/components/schemas/ErrorCodeEnum", (string?)schemas["Error"]!["properties"]!["code"]!["$ref"]);
        Assert.Equal(["attr", "code", "detail", "type"], schemas["Error"]!["required"]!.AsArray().Select(r => (string)r!).Order());

        var run = schemas["BatchExportRun"]!;
        Assert.Equal(run["properties"]!.AsObject().Select(p => p.Key).Order(), run["required"]!.AsArray().Select(r => (string)r!).Order());
        Assert.True((bool?)run["properties"]!["finished_at"]!["nullable"]);
        Assert.True((bool?)schemas["BatchExportBackfill"]!["properties"]!["progress"]!["nullable"]);
        Assert.Equal(["destination", "interval", "name"], schemas["BatchExportRequest"]!["required"]!.AsArray().Select(r => (string)r!).Order());
        Assert.Null(schemas["PatchedBatchExport"]!["required"]);

        var s3 = schemas["S3DestinationConfig"]!;
        Assert.Equal(["bucket_name", "prefix", "region"], s3["required"]!.AsArray().Select(r => (string)r!).Order());
        Assert.True((bool)s3["properties"]!["aws_secret_access_key"]!["writeOnly"]!);
        Assert.All(s3["properties"]!.AsObject(), p => Assert.True(p.Value!["type"] != null || p.Value["allOf"] != null, $"{p.Key} has no type"));
        var destination = schemas["BatchExportDestinationRequest"]!;
        Assert.Equal("type", (string?)destination["discriminator"]!["propertyName"]);
        Assert.Equal(5, destination["oneOf"]!.AsArray().Count);
    }

    [Fact]
    public async Task RequestBodies_HaveOneContentType_AndCreateAndPatchUsePostHogsSchemas()
    {
        var document = await DocumentAsync();
        var operations = Operations(document);

        Assert.All(operations.Where(o => o.Operation["requestBody"] != null), o =>
            Assert.Equal(["application/json"], o.Operation["requestBody"]!["content"]!.AsObject().Select(c => c.Key)));
        var collection = document["paths"]!["/api/projects/{project_id}/batch_exports/"]!;
        Assert.True((bool?)collection["post"]!["requestBody"]!["required"]);
        Assert.Equal("#/components/schemas/PaginatedBatchExportList", (string?)collection["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        var item = document["paths"]!["/api/projects/{project_id}/batch_exports/{id}/"]!;
        Assert.Equal("#/components/schemas/PatchedBatchExport", (string?)item["patch"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]);
        Assert.Equal("#/components/schemas/BatchExport", (string?)item["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]);
    }

    [Fact]
    public async Task CreateExamples_OnePerDestinationType_AreAcceptedAsSent()
    {
        var document = await DocumentAsync();
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var examples = document["paths"]!["/api/projects/{project_id}/batch_exports/"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();

        Assert.Equal(CreateExamplesFilter.Examples(factory.Services.GetRequiredService<DestinationRegistry>()).Keys.Order(), examples.Select(e => e.Key).Order());
        foreach (var (type, example) in examples)
        {
            var created = (await client.PostAsync($"/api/projects/{tenant.TeamId}/batch_exports/", example!["value"]!.DeepClone())).Expect(HttpStatusCode.Created);
            Assert.Equal(type, (string?)created["destination"]!["type"]);
        }
    }
}
