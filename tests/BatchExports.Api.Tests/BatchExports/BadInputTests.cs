using System.Net;
using BatchExports.Testing;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary>Bad input gets a 4xx in PostHog's envelope, never a 500, and nothing is written.</summary>
public sealed class BadInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<(TestTenant Tenant, ApiClient Client)> TenantAsync()
    {
        var tenant = await factory.CreateTenantAsync();
        return (tenant, factory.CreateApiClient(tenant.ApiKey));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"name\": }")]
    [InlineData("not json at all")]
    [InlineData("{\"name\": \"x\",}")]
    public async Task MalformedJson_Is400ParseError(string body)
    {
        var (tenant, client) = await TenantAsync();

        var response = await client.PostAsync($"{ExportsPath(tenant.TeamId)}/", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_request", (string?)response.Json!["type"]);
        Assert.Equal("parse_error", (string?)response.Json!["code"]);
        Assert.StartsWith("JSON parse error", (string?)response.Json!["detail"]);
    }

    [Theory]
    [InlineData("[1, 2]", "Invalid data. Expected a dictionary, but got list.", null)]
    [InlineData("\"text\"", "Invalid data. Expected a dictionary, but got str.", null)]
    [InlineData("{\"name\": {\"a\": 1}, \"interval\": \"hour\"}", "Not a valid string.", "name")]
    [InlineData("{\"name\": \"x\", \"paused\": \"maybe\"}", "Must be a valid boolean.", "paused")]
    [InlineData("{\"name\": \"x\", \"offset_hour\": \"noon\"}", "A valid integer is required.", "offset_hour")]
    [InlineData("{\"name\": \"x\", \"destination\": \"S3\"}", "Invalid data. Expected a dictionary, but got str.", "destination")]
    [InlineData("{\"name\": \"x\", \"destination\": {\"type\": \"S3\", \"config\": [1]}}", "Invalid data. Expected a dictionary, but got list.", "destination__config")]
    [InlineData("{\"name\": \"x\", \"destination\": {\"type\": [\"S3\"], \"config\": {}}}", "Not a valid string.", "destination__type")]
    public async Task WrongJsonTypes_Are400ValidationErrors_NamingTheField(string body, string detail, string? attr)
    {
        var (tenant, client) = await TenantAsync();

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/", body)).ExpectError(HttpStatusCode.BadRequest, "validation_error", detail, attr, "invalid_input");
    }

    [Fact]
    public async Task EmptyBody_IsReadAsAnEmptyObject()
    {
        var (tenant, client) = await TenantAsync();

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/", "")).ExpectError(HttpStatusCode.BadRequest, "validation_error", "This field is required.", "name");
    }

    [Fact]
    public async Task BodyOverTheLimit_Is413_AndNothingIsWritten()
    {
        var (tenant, client) = await TenantAsync();
        var body = ExportBody(NoOpDestination());
        body["name"] = new string('x', 2 * 1024 * 1024);

        var response = await client.PostAsync($"{ExportsPath(tenant.TeamId)}/", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("invalid_request", (string?)response.Json!["type"]);
        Assert.Equal(0, (int)(await client.ListExportsAsync(tenant.TeamId)).Expect(HttpStatusCode.OK)["count"]!);
    }

    [Fact]
    public async Task FormEncodedBody_Is415()
    {
        var (tenant, client) = await TenantAsync();

        var response = await client.SendAsync(HttpMethod.Post, $"{ExportsPath(tenant.TeamId)}/", "name=x", "application/x-www-form-urlencoded");

        response.ExpectError(HttpStatusCode.UnsupportedMediaType, "invalid_request", code: "unsupported_media_type");
    }

    [Fact]
    public async Task BodyWithoutContentType_IsReadAsJson()
    {
        var (tenant, client) = await TenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{ExportsPath(tenant.TeamId)}/")
        {
            Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(ExportBody(NoOpDestination()).ToJsonString())),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.ApiKey);

        var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task DeeplyNestedJson_Is400NotA500()
    {
        var (tenant, client) = await TenantAsync();
        var body = new string('[', 200) + new string(']', 200);

        var response = await client.PostAsync($"{ExportsPath(tenant.TeamId)}/", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
    }
}
