using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Runs;

public sealed class GetRunTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private DateTimeOffset IntervalEnd => new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Get_ReturnsTheRun()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd, RunStatuses.Failed, r =>
        {
            r.LatestError = "Bucket not found";
            r.RecordsCompleted = null;
            r.BytesExported = 1234;
            r.RecordsTotalCount = 99;
        });

        var body = (await client.GetRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal(run.Id.ToString(), (string?)body["id"]);
        Assert.Equal("Failed", (string?)body["status"]);
        Assert.Equal("Bucket not found", (string?)body["latest_error"]);
        Assert.Equal("2024-05-01T09:00:00Z", (string?)body["data_interval_start"]);
        Assert.Equal("2024-05-01T10:00:00Z", (string?)body["data_interval_end"]);
        Assert.Equal(1234, (long)body["bytes_exported"]!);
        Assert.Equal(99, (long)body["records_total_count"]!);
        Assert.Null(body["records_completed"]);
        Assert.Equal(ListRunsTests.Micros(run.CreatedAt), (string?)body["created_at"]);
        Assert.Equal(id.ToString(), (string?)body["batch_export"]);
    }

    [Fact]
    public async Task Get_RunCreatedMoreThan7DaysAgo_IsStillFound()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var run = await factory.RunAsync(id, IntervalEnd, configure: r => r.CreatedAt = now - TimeSpan.FromDays(30));

        Assert.Equal(run.Id.ToString(), (string?)(await client.GetRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK)["id"]);
    }

    [Fact]
    public async Task Get_RunOfAnotherExport_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var other = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId))["id"]!);
        var run = await factory.RunAsync(other, IntervalEnd);

        (await client.GetRunAsync(tenant.TeamId, id, run.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task Get_UnknownRun_Is404(string runId)
    {
        var (tenant, client, id) = await factory.ExportAsync();

        (await client.GetRunAsync(tenant.TeamId, id, runId)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }

    [Fact]
    public async Task Get_RunOfAnotherOrganization_Is403()
    {
        var (owner, _, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd);
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).GetRunAsync(owner.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }

    [Fact]
    public async Task Get_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd);
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.GetRunAsync(otherTeam, id, run.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");
    }
}
