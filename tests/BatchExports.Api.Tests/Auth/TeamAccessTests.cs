using System.Net;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.Auth;

/// <summary>Who may reach which project and organization, with PostHog's codes and messages (spec §4.2, §6.2).</summary>
public sealed class TeamAccessTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ProjectOfAnotherOrganization_Is403()
    {
        var mine = await factory.CreateTenantAsync();
        var theirs = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(mine.ApiKey).GetAsync($"/api/projects/{theirs.TeamId}/batch_exports/");

        response.ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.", code: "permission_denied");
    }

    [Fact]
    public async Task OrganizationOfAnotherOrganization_Is403()
    {
        var mine = await factory.CreateTenantAsync();
        var theirs = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(mine.ApiKey).GetAsync($"/api/organizations/{theirs.OrganizationId}/batch_exports/");

        response.ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the organization.");
    }

    [Theory]
    [InlineData("/api/projects/999999/batch_exports/")]
    [InlineData("/api/projects/abc/batch_exports/")]
    [InlineData("/api/environments/1.5/batch_exports/")]
    [InlineData("/api/projects/999999")]
    public async Task UnknownOrMalformedProject_Is404ProjectNotFound(string path)
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync(path);

        response.ExpectError(HttpStatusCode.NotFound, "invalid_request", "Project not found.", code: "not_found");
    }

    [Theory]
    [InlineData("/api/organizations/not-a-uuid/batch_exports/")]
    [InlineData("/api/organizations/00000000-0000-0000-0000-000000000001/batch_exports/")]
    public async Task UnknownOrMalformedOrganization_Is404(string path)
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync(path);

        response.ExpectError(HttpStatusCode.NotFound, "invalid_request", "Organization not found.");
    }

    [Fact]
    public async Task CurrentAlias_ResolvesToTheUsersTeam()
    {
        var tenant = await factory.CreateTenantAsync();

        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync("/api/projects/@current");

        Assert.Equal(tenant.TeamId, (int)response.Expect(HttpStatusCode.OK)["id"]!);
    }

    [Fact]
    public async Task KeyScopedToTeams_CannotReachAnotherTeamOfItsOrganization()
    {
        var tenant = await factory.CreateTenantAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);
        var scopedKey = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, scopedTeams: [tenant.TeamId]);
        var client = factory.CreateApiClient(scopedKey);

        (await client.GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/")).Expect(HttpStatusCode.OK);
        (await client.GetAsync($"/api/projects/{otherTeam}/batch_exports/")).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", $"API key does not have access to the requested project: ID {otherTeam}.");

        var projects = (await client.GetAsync("/api/projects/")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (int)projects["count"]!);
    }

    [Fact]
    public async Task KeyScopedToOrganizations_CannotReachAnotherOrganization()
    {
        var tenant = await factory.CreateTenantAsync();
        var second = await factory.CreateTenantAsync(email: tenant.Email);
        var scopedKey = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, scopedOrganizations: [tenant.OrganizationId.ToString()]);
        var client = factory.CreateApiClient(scopedKey);

        (await client.GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/")).Expect(HttpStatusCode.OK);
        (await client.GetAsync($"/api/projects/{second.TeamId}/batch_exports/")).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", $"API key does not have access to the requested organization: ID {second.OrganizationId}.");
        (await client.GetAsync($"/api/organizations/{second.OrganizationId}/batch_exports/")).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", $"API key does not have access to the requested organization: ID {second.OrganizationId}.");
    }

    [Fact]
    public async Task ReadScopedKey_CanReadButNotWrite()
    {
        var tenant = await factory.CreateTenantAsync(["batch_export:read"]);
        var client = factory.CreateApiClient(tenant.ApiKey);

        (await client.GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/")).Expect(HttpStatusCode.OK);
        (await client.PostAsync($"/api/projects/{tenant.TeamId}/batch_exports/", new { name = "x" })).ExpectError(
            HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'", code: "permission_denied");
    }

    [Fact]
    public async Task WriteScopedKey_ImpliesRead()
    {
        var tenant = await factory.CreateTenantAsync(["batch_export:write"]);

        (await factory.CreateApiClient(tenant.ApiKey).GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task KeyWithUnrelatedScope_IsRefusedWithTheMissingScope()
    {
        var tenant = await factory.CreateTenantAsync(["feature_flag:read"]);

        var response = await factory.CreateApiClient(tenant.ApiKey).GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/");

        response.ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:read'");
    }

    [Fact]
    public async Task LegacyKeyWithoutScopes_HasFullAccess()
    {
        var tenant = await factory.CreateTenantAsync();
        var legacyKey = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, scopes: []);
        var client = factory.CreateApiClient(legacyKey);

        (await client.GetAsync($"/api/projects/{tenant.TeamId}/batch_exports/")).Expect(HttpStatusCode.OK);
        (await client.PostAsync($"/api/projects/{tenant.TeamId}/batch_exports/", new
        {
            name = "legacy",
            interval = "hour",
            destination = new { type = "NoOp", config = new { } },
        })).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Discovery_ListsOnlyTheCallersProjectsAndOrganizations()
    {
        var mine = await factory.CreateTenantAsync();
        var secondTeam = await factory.CreateTeamAsync(mine.OrganizationId, "Second");
        await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(mine.ApiKey);

        var projects = (await client.GetAsync("/api/projects/")).Expect(HttpStatusCode.OK);
        Assert.Equal(new[] { mine.TeamId, secondTeam }, projects["results"]!.AsArray().Select(p => (int)p!["id"]!).ToArray());
        Assert.Equal(2, (int)projects["count"]!);

        var organizations = (await client.GetAsync("/api/organizations/")).Expect(HttpStatusCode.OK);
        Assert.Equal(mine.OrganizationId.ToString(), (string?)organizations["results"]![0]!["id"]);
        Assert.Equal(1, (int)organizations["count"]!);
    }

    [Fact]
    public async Task Discovery_PagesWithLimitAndOffset()
    {
        var mine = await factory.CreateTenantAsync();
        await factory.CreateTeamAsync(mine.OrganizationId, "Second");
        await factory.CreateTeamAsync(mine.OrganizationId, "Third");
        var client = factory.CreateApiClient(mine.ApiKey);

        var first = (await client.GetAsync("/api/projects/?limit=2")).Expect(HttpStatusCode.OK);
        Assert.Equal(3, (int)first["count"]!);
        Assert.Equal(2, first["results"]!.AsArray().Count);
        Assert.Null(first["previous"]);
        var next = new Uri((string)first["next"]!);
        Assert.True(next.IsAbsoluteUri);

        var second = (await client.GetAsync(next.PathAndQuery)).Expect(HttpStatusCode.OK);
        Assert.Single(second["results"]!.AsArray());
        Assert.Null(second["next"]);
        Assert.NotNull(second["previous"]);
    }
}
