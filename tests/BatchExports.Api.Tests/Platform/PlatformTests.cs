using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.Platform;

/// <summary>Health, the OpenAPI document being served (its content: OpenApi/), and the envelope on requests no route or method matches.</summary>
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
        Assert.NotNull(document["paths"]!["/api/projects/"]);
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
