using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Runs;

/// <summary>PostHog's <c>test_runs.py</c> cancel cases.</summary>
public sealed class CancelRunTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private DateTimeOffset IntervalEnd => new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private async Task<BatchExportRun> StoredAsync(Guid runId)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    [Theory]
    [InlineData(RunStatuses.Running)]
    [InlineData(RunStatuses.Starting)]
    public async Task Cancel_ActiveRun_MarksItCancelled(string status)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd, status);

        var response = (await client.CancelRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal("""{"cancelled":true}""", response.ToJsonString());
        Assert.Equal("Cancelled", (string?)(await client.GetRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK)["status"]);
        var listed = (await client.ListRunsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        Assert.Equal("Cancelled", (string?)Assert.Single(listed)!["status"]);
        Assert.NotNull((await StoredAsync(run.Id)).FinishedAt);
    }

    [Theory]
    [InlineData(RunStatuses.Completed)]
    [InlineData(RunStatuses.Failed)]
    [InlineData(RunStatuses.FailedRetryable)]
    [InlineData(RunStatuses.Cancelled)]
    [InlineData(RunStatuses.TimedOut)]
    public async Task Cancel_FinishedRun_Is400_AndLeavesIt(string status)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd, status);

        (await client.CancelRunAsync(tenant.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.BadRequest, "validation_error", $"Cannot cancel a run that is in '{status}' status", null, "invalid_input");

        Assert.Equal(status, (await StoredAsync(run.Id)).Status);
    }

    [Fact]
    public async Task Cancel_RunCreatedMoreThan7DaysAgo_Works()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var now = factory.Clock.GetUtcNow();
        var run = await factory.RunAsync(id, IntervalEnd, RunStatuses.Running, r => r.CreatedAt = now - TimeSpan.FromDays(10));

        (await client.CancelRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal(RunStatuses.Cancelled, (await StoredAsync(run.Id)).Status);
    }

    [Fact]
    public async Task Cancel_RunOfAnotherOrganization_Is403_AndLeavesItRunning()
    {
        var (owner, _, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd, RunStatuses.Running);
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).CancelRunAsync(owner.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");

        Assert.Equal(RunStatuses.Running, (await StoredAsync(run.Id)).Status);
    }

    [Fact]
    public async Task Cancel_WithAReadOnlyKey_Is403()
    {
        var (tenant, _, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd, RunStatuses.Running);
        var readOnly = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, ["batch_export:read"]);

        (await factory.CreateApiClient(readOnly).CancelRunAsync(tenant.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");

        Assert.Equal(RunStatuses.Running, (await StoredAsync(run.Id)).Status);
    }

    [Fact]
    public async Task Cancel_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var run = await factory.RunAsync(id, IntervalEnd, RunStatuses.Running);
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.CancelRunAsync(otherTeam, id, run.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");

        Assert.Equal(RunStatuses.Running, (await StoredAsync(run.Id)).Status);
    }
}
