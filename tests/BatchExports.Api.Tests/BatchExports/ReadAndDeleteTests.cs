using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

public sealed class GetTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Get_ReturnsTheExport_WithoutSecrets()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;

        var export = (await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);

        Assert.Equal(id, (string?)export["id"]);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"bucket_name": "my-bucket", "region": "us-east-1", "prefix": "exports/", "endpoint_url": null}"""),
            export["destination"]!["config"]));
    }

    [Fact]
    public async Task Get_OfAnotherOrganizationsExport_Is403()
    {
        var owner = await factory.CreateTenantAsync();
        var id = (string)(await factory.CreateApiClient(owner.ApiKey).CreateExportOkAsync(owner.TeamId))["id"]!;
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).GetExportAsync(owner.TeamId, id)).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }

    [Fact]
    public async Task Get_IsPartitionedByTeam_BothWays()
    {
        var tenant = await factory.CreateTenantAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var client = factory.CreateApiClient(tenant.ApiKey);
        var first = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;
        var second = (string)(await client.CreateExportOkAsync(otherTeam))["id"]!;

        (await client.GetExportAsync(otherTeam, first)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
        (await client.GetExportAsync(tenant.TeamId, second)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task Get_UnknownOrMalformedId_Is404(string id)
    {
        var tenant = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(tenant.ApiKey).GetExportAsync(tenant.TeamId, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Fact]
    public async Task ProjectAndEnvironmentRoutes_AreTheSameApi_WithOrWithoutTrailingSlash()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;

        var viaProjects = (await client.GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/{id}")).Expect(HttpStatusCode.OK);
        var viaEnvironments = (await client.GetAsync($"/api/environments/{tenant.TeamId}/batch_exports/{id}/")).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(viaProjects, viaEnvironments));

        var created = (await client.PostAsync($"/api/environments/{tenant.TeamId}/batch_exports", ExportBody(NoOpDestination()))).Expect(HttpStatusCode.Created);
        var list = (await client.GetAsync($"/api/projects/{tenant.TeamId}/batch_exports")).Expect(HttpStatusCode.OK);
        Assert.Contains((string?)created["id"], list["results"]!.AsArray().Select(e => (string?)e!["id"]));
    }
}

public sealed class ListTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task List_ShowsUndeletedExports_NewestFirst()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var first = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;

        var list = (await client.ListExportsAsync(tenant.TeamId)).Expect(HttpStatusCode.OK);
        Assert.Equal(2, (int)list["count"]!);
        Assert.Equal([second, first], list["results"]!.AsArray().Select(e => (string)e!["id"]!).ToArray());

        (await client.DeleteExportAsync(tenant.TeamId, first)).Expect(HttpStatusCode.NoContent);
        list = (await client.ListExportsAsync(tenant.TeamId)).Expect(HttpStatusCode.OK);
        Assert.Equal([second], list["results"]!.AsArray().Select(e => (string)e!["id"]!).ToArray());

        (await client.DeleteExportAsync(tenant.TeamId, second)).Expect(HttpStatusCode.NoContent);
        Assert.Equal(0, (int)(await client.ListExportsAsync(tenant.TeamId)).Expect(HttpStatusCode.OK)["count"]!);
    }

    [Fact]
    public async Task List_IsPartitionedByTeam()
    {
        var tenant = await factory.CreateTenantAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var client = factory.CreateApiClient(tenant.ApiKey);
        await client.CreateExportOkAsync(tenant.TeamId);

        Assert.Equal(0, (int)(await client.ListExportsAsync(otherTeam)).Expect(HttpStatusCode.OK)["count"]!);
    }

    [Fact]
    public async Task List_PagesWithLimitAndOffset_AndAbsoluteLinks()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        for (var i = 0; i < 3; i++)
        {
            await client.CreateExportOkAsync(tenant.TeamId);
        }

        var page = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/?limit=2")).Expect(HttpStatusCode.OK);
        Assert.Equal(3, (int)page["count"]!);
        Assert.Equal(2, page["results"]!.AsArray().Count);
        var next = new Uri((string)page["next"]!);
        Assert.Contains("offset=2", next.Query);
        var last = (await client.GetAsync(next.PathAndQuery)).Expect(HttpStatusCode.OK);
        Assert.Single(last["results"]!.AsArray());
        Assert.Null(last["next"]);
    }
}

public sealed class DeleteTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Delete_Is204_ThenTheExportIsGoneEverywhere_ButItsRowRemains()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;

        var deleted = await client.DeleteExportAsync(tenant.TeamId, id);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal("", deleted.Body);

        (await client.GetExportAsync(tenant.TeamId, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetAsync($"/api/environments/{tenant.TeamId}/batch_exports/{id}/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetAsync($"/api/organizations/{tenant.OrganizationId}/batch_exports/{id}/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["name"] = "x" })).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.PauseExportAsync(tenant.TeamId, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.DeleteExportAsync(tenant.TeamId, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request");

        await using var db = factory.CreateDbContext();
        var row = await db.BatchExports.SingleAsync(e => e.Id == Guid.Parse(id));
        Assert.True(row.Deleted);
        Assert.False(await db.BatchExportSchedules.AnyAsync(s => s.BatchExportId == row.Id));
    }

    [Fact]
    public async Task Delete_OfAnotherOrganizationsExport_Is403_AndLeavesIt()
    {
        var owner = await factory.CreateTenantAsync();
        var ownerClient = factory.CreateApiClient(owner.ApiKey);
        var id = (string)(await ownerClient.CreateExportOkAsync(owner.TeamId))["id"]!;
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).DeleteExportAsync(owner.TeamId, id)).ExpectError(HttpStatusCode.Forbidden, "authentication_error");

        (await ownerClient.GetExportAsync(owner.TeamId, id)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_IsPartitionedByTeam()
    {
        var tenant = await factory.CreateTenantAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;

        (await client.DeleteExportAsync(otherTeam, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_WithAReadOnlyKey_Is403()
    {
        var tenant = await factory.CreateTenantAsync();
        var id = (string)(await factory.CreateApiClient(tenant.ApiKey).CreateExportOkAsync(tenant.TeamId))["id"]!;
        var readKey = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, ["batch_export:read"]);

        (await factory.CreateApiClient(readKey).DeleteExportAsync(tenant.TeamId, id)).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");
    }
}
