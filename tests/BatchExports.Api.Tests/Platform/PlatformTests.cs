using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.Platform;

/// <summary>Health, the OpenAPI document, and the envelope on requests no route or method matches.</summary>
public sealed class PlatformTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Health_AndReadiness_AnswerWithoutCredentials()
    {
        var client = factory.CreateApiClient(null);

        Assert.Equal("ok", (string?)(await client.GetAsync("/_health")).Expect(HttpStatusCode.OK)["status"]);
        Assert.Equal("applied", (string?)(await client.GetAsync("/_readyz")).Expect(HttpStatusCode.OK)["migrations"]);
    }

    [Theory]
    [InlineData("/api/schema/")]
    [InlineData("/api/schema")]
    public async Task OpenApiDocument_IsServedWithThePersonalApiKeyScheme(string path)
    {
        var document = (await factory.CreateApiClient(null).GetAsync(path)).Expect(HttpStatusCode.OK);

        Assert.StartsWith("3.", (string?)document["openapi"]);
        Assert.Equal("http", (string?)document["components"]!["securitySchemes"]!["PersonalAPIKeyAuth"]!["type"]);
        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["PersonalAPIKeyAuth"]!["scheme"]);
        Assert.NotNull(document["paths"]!["/api/projects"]);
    }

    [Fact]
    public async Task SwaggerUi_Renders()
    {
        var response = await factory.CreateClient().GetAsync("/api/schema/swagger-ui/index.html", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", html);
    }

    [Fact]
    public async Task UnknownRoute_Is404Envelope()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync("/api/this/does/not/exist");

        response.ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.", code: "not_found");
    }

    [Fact]
    public async Task WrongMethod_Is405Envelope()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).SendAsync(HttpMethod.Put, "/api/projects/", new JsonObject());

        response.ExpectError(HttpStatusCode.MethodNotAllowed, "invalid_request", "Method \"PUT\" not allowed.", code: "method_not_allowed");
    }
}

public sealed class OpenApiDocumentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task DestinationConfig_IsAOneOfPerType_WithRequiredKeysAndWriteOnlySecrets()
    {
        var schemas = (await factory.CreateApiClient(null).GetAsync("/api/schema/")).Expect(HttpStatusCode.OK)["components"]!["schemas"]!;

        var destination = schemas["DestinationWriteRequest"]!;
        Assert.Equal("type", (string?)destination["discriminator"]!["propertyName"]);
        Assert.Equal(
            new[] { "#/components/schemas/S3DestinationWrite", "#/components/schemas/PostgresDestinationWrite", "#/components/schemas/RedshiftDestinationWrite",
             "#/components/schemas/HttpDestinationWrite", "#/components/schemas/NoOpDestinationWrite" },
            destination["oneOf"]!.AsArray().Select(s => (string?)s!["$ref"]).ToArray());
        var s3 = schemas["S3DestinationConfig"]!;
        Assert.Equal(["bucket_name", "prefix", "region"], s3["required"]!.AsArray().Select(r => (string)r!).Order().ToArray());
        Assert.True((bool)s3["properties"]!["aws_secret_access_key"]!["writeOnly"]!);
        Assert.Equal("JSONLines", (string?)s3["properties"]!["file_format"]!["default"]);
        Assert.Equal(5432, (int?)schemas["PostgresDestinationConfig"]!["properties"]!["port"]!["default"]);
    }

    [Fact]
    public async Task EveryOperation_HasAUniqueId_ResponsesAndTheErrorEnvelope()
    {
        var document = (await factory.CreateApiClient(null).GetAsync("/api/schema/")).Expect(HttpStatusCode.OK);
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Operation: op.Value!)))
            .ToList();

        Assert.True(operations.Count > 40, $"only {operations.Count} operations documented");
        var ids = operations.Select(o => (string?)o.Operation["operationId"]).ToList();
        Assert.All(ids, Assert.NotNull);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(operations.Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal) && !o.Path.StartsWith("/api/schema", StringComparison.Ordinal)), o =>
        {
            Assert.NotNull(o.Operation["responses"]!["401"]);
            Assert.NotNull(o.Operation["security"]);
        });
        var envelope = document["components"]!["schemas"]!["ErrorEnvelope"]!["properties"]!.AsObject().Select(p => p.Key).Order();
        Assert.Equal(["attr", "code", "detail", "type"], envelope);
        Assert.NotNull(document["paths"]!["/api/projects/{team_id}/batch_exports"]!["post"]!["requestBody"]);
        Assert.NotNull(document["paths"]!["/api/environments/{team_id}/batch_exports/{batch_export_id}/backfills"]);
        Assert.NotNull(document["paths"]!["/api/organizations/{organization_id}/batch_exports/{id}"]);
    }
}
