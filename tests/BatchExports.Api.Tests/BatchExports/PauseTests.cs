using System.Net;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary>PostHog's <c>test_pause.py</c>, the pause half.</summary>
public sealed class PauseTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<bool> SchedulePausedAsync(Guid id)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportSchedules.Where(s => s.BatchExportId == id).Select(s => s.Paused).SingleAsync();
    }

    [Fact]
    public async Task Pause_ActiveExport_PausesItAndTheSchedule_AndStampsLastPausedAt()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(5));

        var response = (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);

        Assert.Equal("""{"paused":true}""", response.ToJsonString());
        var export = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.True((bool)export["paused"]!);
        Assert.NotNull((string?)export["last_paused_at"]);
        Assert.Equal((string?)export["last_updated_at"], (string?)export["last_paused_at"]);
        Assert.True(DateTimeOffset.Parse((string)export["last_updated_at"]!) > DateTimeOffset.Parse((string)export["created_at"]!));
        Assert.True(await SchedulePausedAsync(id));
    }

    [Fact]
    public async Task Pause_AlreadyPausedExport_Is200_AndChangesNothing()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        var before = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromMinutes(5));

        var response = (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);

        Assert.True((bool)response["paused"]!);
        var after = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.Equal((string?)before["last_updated_at"], (string?)after["last_updated_at"]);
        Assert.Equal((string?)before["last_paused_at"], (string?)after["last_paused_at"]);
        Assert.True((bool)after["paused"]!);
    }

    [Fact]
    public async Task Pause_AnotherOrganizationsExport_Is403_AndLeavesItActive()
    {
        var (owner, ownerClient, id) = await factory.ExportAsync();
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).PauseExportAsync(owner.TeamId, id.ToString()))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.", code: "permission_denied");

        Assert.False((bool)(await ownerClient.GetExportAsync(owner.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);
        Assert.False(await SchedulePausedAsync(id));
    }

    [Fact]
    public async Task Pause_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.PauseExportAsync(otherTeam, id.ToString())).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");

        Assert.False(await SchedulePausedAsync(id));
    }

    [Fact]
    public async Task Pause_WithAReadOnlyKey_Is403()
    {
        var (tenant, _, id) = await factory.ExportAsync();
        var readOnly = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, ["batch_export:read"]);

        (await factory.CreateApiClient(readOnly).PauseExportAsync(tenant.TeamId, id.ToString()))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task Pause_UnknownExport_Is404(string id)
    {
        var tenant = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(tenant.ApiKey).PauseExportAsync(tenant.TeamId, id))
            .ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }
}
