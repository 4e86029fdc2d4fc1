using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary><c>/api/organizations/{organization_id}/batch_exports/</c>: every team of the organization.</summary>
public sealed class OrganizationRouteTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static string OrgPath(TestTenant tenant) => $"/api/organizations/{tenant.OrganizationId}/batch_exports";

    [Fact]
    public async Task List_ShowsTheExportsOfEveryTeamOfTheOrganization()
    {
        var tenant = await factory.CreateTenantAsync();
        var secondTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var client = factory.CreateApiClient(tenant.ApiKey);
        var first = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;
        var second = (string)(await client.CreateExportOkAsync(secondTeam))["id"]!;
        var stranger = await factory.CreateTenantAsync();
        await factory.CreateApiClient(stranger.ApiKey).CreateExportOkAsync(stranger.TeamId);

        var list = (await client.GetAsync($"{OrgPath(tenant)}/")).Expect(HttpStatusCode.OK);

        Assert.Equal(2, (int)list["count"]!);
        Assert.Equal(new[] { first, second }.Order(), list["results"]!.AsArray().Select(e => (string)e!["id"]!).Order());
        Assert.DoesNotContain("super-secret-value", list.ToJsonString());
    }

    [Fact]
    public async Task Detail_Pause_AndDelete_WorkThroughTheOrganization()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!;

        Assert.Equal(id, (string?)(await client.GetAsync($"{OrgPath(tenant)}/{id}/")).Expect(HttpStatusCode.OK)["id"]);
        Assert.True((bool)(await client.PostAsync($"{OrgPath(tenant)}/{id}/pause/")).Expect(HttpStatusCode.OK)["paused"]!);
        Assert.Equal("renamed", (string?)(await client.PatchAsync($"{OrgPath(tenant)}/{id}/", new JsonObject { ["name"] = "renamed" })).Expect(HttpStatusCode.OK)["name"]);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{OrgPath(tenant)}/{id}/")).Status);
        (await client.GetExportAsync(tenant.TeamId, id)).ExpectError(HttpStatusCode.NotFound, "invalid_request");
    }

    [Fact]
    public async Task Create_NeedsATeamOfThatOrganization()
    {
        var tenant = await factory.CreateTenantAsync();
        var stranger = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);

        (await client.PostAsync($"{OrgPath(tenant)}/", ExportBody())).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "This field is required.", "team_id", "required");

        var foreign = ExportBody();
        foreign["team_id"] = stranger.TeamId;
        (await client.PostAsync($"{OrgPath(tenant)}/", foreign)).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", $"Invalid pk \"{stranger.TeamId}\" - object does not exist.", "team_id", "does_not_exist");

        var valid = ExportBody();
        valid["team_id"] = tenant.TeamId;
        var created = (await client.PostAsync($"{OrgPath(tenant)}/", valid)).Expect(HttpStatusCode.Created);
        Assert.Equal(tenant.TeamId, (int)created["team_id"]!);
        (await client.GetExportAsync(tenant.TeamId, (string)created["id"]!)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task KeyScopedToOneTeam_SeesOnlyThatTeamsExportsThroughTheOrganization()
    {
        var tenant = await factory.CreateTenantAsync();
        var secondTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var client = factory.CreateApiClient(tenant.ApiKey);
        await client.CreateExportOkAsync(tenant.TeamId);
        var hidden = (string)(await client.CreateExportOkAsync(secondTeam))["id"]!;
        var scoped = factory.CreateApiClient(await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, scopedTeams: [tenant.TeamId]));

        var list = (await scoped.GetAsync($"{OrgPath(tenant)}/")).Expect(HttpStatusCode.OK);

        Assert.Equal(1, (int)list["count"]!);
        (await scoped.GetAsync($"{OrgPath(tenant)}/{hidden}/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
    }
}
