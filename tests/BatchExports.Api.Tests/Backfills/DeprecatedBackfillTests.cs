using System.Net;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Backfills;

/// <summary>PostHog's old <c>test_backfill.py</c>: the deprecated <c>POST …/batch_exports/{id}/backfill/</c>.</summary>
public sealed class DeprecatedBackfillTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Start = "2021-01-01T00:00:00+00:00";
    private const string End = "2021-01-01T01:00:00+00:00";

    private async Task<int> StoredBackfillsAsync(Guid id)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportBackfills.CountAsync(b => b.BatchExportId == id);
    }

    public static TheoryData<string> Routes => ["projects", "environments", "organizations"];

    private static string PathFor(string route, TestTenant tenant) => route switch
    {
        "organizations" => $"/api/organizations/{tenant.OrganizationId}/batch_exports",
        _ => $"/api/{route}/{tenant.TeamId}/batch_exports",
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Backfill_Is200WithTheBackfillId_AndCreatesTheSameBackfill(string route)
    {
        var (tenant, client, id) = await factory.ExportAsync();

        var response = (await client.DeprecatedBackfillAsync(PathFor(route, tenant), id, Start, End)).Expect(HttpStatusCode.OK);

        Assert.Equal(["backfill_id"], response.AsObject().Select(p => p.Key).ToArray());
        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, (string)response["backfill_id"]!)).Expect(HttpStatusCode.OK);
        Assert.Equal("2021-01-01T00:00:00Z", (string?)backfill["start_at"]);
        Assert.Equal("2021-01-01T01:00:00Z", (string?)backfill["end_at"]);
        Assert.Equal("Starting", (string?)backfill["status"]);
    }

    [Fact]
    public async Task Backfill_CreatedInATimeZone_StoresTheInstants()
    {
        var (tenant, client, id) = await factory.ExportAsync();

        var response = (await client.DeprecatedBackfillAsync(ExportsPath(tenant.TeamId), id, "2021-01-01T00:00:00-05:00", "2021-10-01T00:00:00-04:00"))
            .Expect(HttpStatusCode.OK);

        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, (string)response["backfill_id"]!)).Expect(HttpStatusCode.OK);
        Assert.Equal("2021-01-01T05:00:00Z", (string?)backfill["start_at"]);
        Assert.Equal("2021-10-01T04:00:00Z", (string?)backfill["end_at"]);
    }

    [Theory]
    [InlineData("not a date", End)]
    [InlineData(Start, "not a date")]
    [InlineData(Start, "2021-01-01T01:00:00")]
    [InlineData(End, End)]
    [InlineData("2021-01-01T02:00:00+00:00", End)]
    [InlineData(Start, "future")]
    public async Task Backfill_WithInvalidBounds_Is400_AndCreatesNothing(string start, string end)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        if (end == "future")
        {
            end = factory.Clock.GetUtcNow().AddHours(1).AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", System.Globalization.CultureInfo.InvariantCulture);
        }

        (await client.DeprecatedBackfillAsync(ExportsPath(tenant.TeamId), id, start, end)).ExpectError(HttpStatusCode.BadRequest, "validation_error");

        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Backfill_ForAnotherOrganizationsExport_Is403()
    {
        var (owner, _, id) = await factory.ExportAsync();
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).DeprecatedBackfillAsync(ExportsPath(owner.TeamId), id, Start, End))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
        (await factory.CreateApiClient(stranger.ApiKey).DeprecatedBackfillAsync($"/api/organizations/{owner.OrganizationId}/batch_exports", id, Start, End))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error");
        Assert.Equal(0, await StoredBackfillsAsync(id));
    }

    [Fact]
    public async Task Backfill_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.DeprecatedBackfillAsync(ExportsPath(otherTeam), id, Start, End)).ExpectError(HttpStatusCode.NotFound, "invalid_request");

        Assert.Equal(0, await StoredBackfillsAsync(id));
    }
}
