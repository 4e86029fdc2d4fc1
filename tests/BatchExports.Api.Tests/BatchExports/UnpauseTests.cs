using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.BatchExports;

/// <summary>PostHog's <c>test_pause.py</c>, the unpause half, including unpause with a backfill.</summary>
public sealed class UnpauseTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id)> PausedExportAsync()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromHours(3));
        return (tenant, client, id);
    }

    private async Task<List<BatchExportBackfill>> BackfillsAsync(Guid id)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportBackfills.Where(b => b.BatchExportId == id).ToListAsync();
    }

    [Fact]
    public async Task Unpause_PausedExport_WithNoBodyAtAll_ResumesItAndTheSchedule()
    {
        var (tenant, client, id) = await PausedExportAsync();
        var paused = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);

        var response = (await client.UnpauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);

        Assert.Equal("""{"paused":false}""", response.ToJsonString());
        var export = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.False((bool)export["paused"]!);
        Assert.True(DateTimeOffset.Parse((string)export["last_updated_at"]!) > DateTimeOffset.Parse((string)paused["last_updated_at"]!));
        Assert.Equal((string?)paused["last_paused_at"], (string?)export["last_paused_at"]);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExportSchedules.Where(s => s.BatchExportId == id).Select(s => s.Paused).SingleAsync());
        Assert.Empty(await BackfillsAsync(id));
    }

    [Theory]
    [InlineData("", "application/json")]
    [InlineData("{}", "application/json")]
    [InlineData("{\"backfill\": false}", "application/json")]
    public async Task Unpause_WithAnEmptyOrFalseBody_Is200_WithoutABackfill(string body, string contentType)
    {
        var (tenant, client, id) = await PausedExportAsync();

        var response = await client.SendAsync(HttpMethod.Post, $"{ExportsPath(tenant.TeamId)}/{id}/unpause/", body, contentType);

        Assert.False((bool)response.Expect(HttpStatusCode.OK)["paused"]!);
        Assert.Empty(await BackfillsAsync(id));
    }

    [Fact]
    public async Task Unpause_ActiveExport_IsANoOp()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var before = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.False((bool)(await client.UnpauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);

        var after = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.Equal((string?)before["last_updated_at"], (string?)after["last_updated_at"]);
        Assert.Null(after["last_paused_at"]);
    }

    [Fact]
    public async Task Unpause_WithBackfill_BackfillsFromLastPausedAtToTheUnpauseTime()
    {
        var (tenant, client, id) = await PausedExportAsync();

        (await client.UnpauseExportAsync(tenant.TeamId, id.ToString(), backfill: true)).Expect(HttpStatusCode.OK);

        var export = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        var backfills = (await client.ListBackfillsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        var backfill = Assert.Single(backfills)!;
        Assert.Equal((string?)export["last_paused_at"], (string?)backfill["start_at"]);
        Assert.Equal((string?)export["last_updated_at"], (string?)backfill["end_at"]);
        Assert.Equal("Starting", (string?)backfill["status"]);
        Assert.Equal(TimeSpan.FromHours(3), DateTimeOffset.Parse((string)backfill["end_at"]!) - DateTimeOffset.Parse((string)backfill["start_at"]!));
    }

    [Fact]
    public async Task Unpause_WithBackfill_ThroughTheOrganizationRoute_BackfillsToo()
    {
        var (tenant, client, id) = await PausedExportAsync();

        (await client.PostAsync($"/api/organizations/{tenant.OrganizationId}/batch_exports/{id}/unpause", new JsonObject { ["backfill"] = true }))
            .Expect(HttpStatusCode.OK);

        var backfill = Assert.Single(await BackfillsAsync(id));
        Assert.Equal(TimeSpan.FromHours(3), backfill.EndAt - backfill.StartAt);
    }

    [Fact]
    public async Task Unpause_WithBackfill_OnAnActiveExport_CreatesNoBackfill()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        (await client.UnpauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        factory.Clock.Advance(TimeSpan.FromHours(1));

        (await client.UnpauseExportAsync(tenant.TeamId, id.ToString(), backfill: true)).Expect(HttpStatusCode.OK);

        Assert.Empty(await BackfillsAsync(id));
    }

    [Fact]
    public async Task Unpause_AnotherOrganizationsExport_Is403_AndLeavesItPaused()
    {
        var (owner, ownerClient, id) = await PausedExportAsync();
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).UnpauseExportAsync(owner.TeamId, id.ToString(), backfill: true))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");

        Assert.True((bool)(await ownerClient.GetExportAsync(owner.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);
        Assert.Empty(await BackfillsAsync(id));
    }

    [Fact]
    public async Task Unpause_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await PausedExportAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.UnpauseExportAsync(otherTeam, id.ToString())).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");

        Assert.True((bool)(await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);
    }

    [Fact]
    public async Task Unpause_WithABackfillThatIsNotABoolean_Is400()
    {
        var (tenant, client, id) = await PausedExportAsync();

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/unpause/", new JsonObject { ["backfill"] = "maybe" }))
            .ExpectError(HttpStatusCode.BadRequest, "validation_error", "Must be a valid boolean.", "backfill");

        Assert.True((bool)(await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);
    }
}
