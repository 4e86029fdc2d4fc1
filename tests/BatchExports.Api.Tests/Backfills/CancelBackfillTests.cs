using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Backfills;

/// <summary>PostHog's <c>backfills/test_cancel.py</c>, and the 400 for finished backfills (spec §4.7).</summary>
public sealed class CancelBackfillTests(EngineApiFactory factory) : IClassFixture<EngineApiFactory>
{
    private static readonly DateTimeOffset Midnight = new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task<(BatchExportBackfill Backfill, List<BatchExportRun> Runs)> StoredAsync(Guid backfillId)
    {
        await using var db = factory.CreateDbContext();
        var backfill = await db.BatchExportBackfills.AsNoTracking().SingleAsync(b => b.Id == backfillId);
        var runs = await db.BatchExportRuns.AsNoTracking().Where(r => r.BackfillId == backfillId).OrderBy(r => r.DataIntervalEnd).ToListAsync();
        return (backfill, runs);
    }

    [Theory]
    [InlineData(BackfillStatuses.Running)]
    [InlineData(BackfillStatuses.Starting)]
    public async Task Cancel_ActiveBackfill_CancelsItAndItsActiveRuns(string status)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, status, b => b.EndAt = Midnight.AddHours(4));
        var statuses = new[] { RunStatuses.Completed, RunStatuses.Failed, RunStatuses.Running, RunStatuses.Starting };
        for (var i = 0; i < statuses.Length; i++)
        {
            await factory.RunAsync(id, Midnight.AddHours(i + 1), statuses[i], r => r.BackfillId = backfill.Id);
        }

        var unrelated = await factory.RunAsync(id, Midnight.AddHours(3), RunStatuses.Running);

        var response = (await client.CancelBackfillAsync(tenant.TeamId, id, backfill.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal("""{"cancelled":true}""", response.ToJsonString());
        var body = (await client.GetBackfillAsync(tenant.TeamId, id, backfill.Id)).Expect(HttpStatusCode.OK);
        Assert.Equal("Cancelled", (string?)body["status"]);
        Assert.NotNull((string?)body["finished_at"]);
        Assert.Null(body["progress"]);
        var (_, runs) = await StoredAsync(backfill.Id);
        Assert.Equal(
            [RunStatuses.Completed, RunStatuses.Failed, RunStatuses.Cancelled, RunStatuses.Cancelled],
            runs.Select(r => r.Status).ToArray());
        var listed = (await client.GetRunAsync(tenant.TeamId, id, unrelated.Id)).Expect(HttpStatusCode.OK);
        Assert.Equal("Running", (string?)listed["status"]);
    }

    [Theory]
    [InlineData(BackfillStatuses.Completed)]
    [InlineData(BackfillStatuses.Failed)]
    [InlineData(BackfillStatuses.Cancelled)]
    public async Task Cancel_FinishedBackfill_Is400_AndLeavesIt(string status)
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, status);

        (await client.CancelBackfillAsync(tenant.TeamId, id, backfill.Id))
            .ExpectError(HttpStatusCode.BadRequest, "validation_error", $"Cannot cancel a backfill that is in '{status}' status", null, "invalid_input");

        Assert.Equal(status, (await StoredAsync(backfill.Id)).Backfill.Status);
    }

    [Fact]
    public async Task Cancel_OfAnotherOrganization_Is403_AndLeavesItRunning()
    {
        var (owner, _, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(owner.TeamId, id, BackfillStatuses.Running);
        var stranger = await factory.CreateTenantAsync();

        (await factory.CreateApiClient(stranger.ApiKey).CancelBackfillAsync(owner.TeamId, id, backfill.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");

        Assert.Equal(BackfillStatuses.Running, (await StoredAsync(backfill.Id)).Backfill.Status);
    }

    [Fact]
    public async Task Cancel_ThroughAnotherTeamOfTheSameOrganization_Is404()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        var otherTeam = await factory.CreateTeamAsync(tenant.OrganizationId);

        (await client.CancelBackfillAsync(otherTeam, id, backfill.Id)).ExpectError(HttpStatusCode.NotFound, "invalid_request", "Not found.");

        Assert.Equal(BackfillStatuses.Running, (await StoredAsync(backfill.Id)).Backfill.Status);
    }

    [Fact]
    public async Task Cancel_WithAReadOnlyKey_Is403()
    {
        var (tenant, _, id) = await factory.ExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        var readOnly = await factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, ["batch_export:read"]);

        (await factory.CreateApiClient(readOnly).CancelBackfillAsync(tenant.TeamId, id, backfill.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");

        Assert.Equal(BackfillStatuses.Running, (await StoredAsync(backfill.Id)).Backfill.Status);
    }

    [Fact]
    public async Task Cancel_FreesASlotUnderTheConcurrentLimit()
    {
        var (tenant, client, id) = await factory.ExportAsync();
        var running = new List<BatchExportBackfill>();
        for (var i = 0; i < 3; i++)
        {
            running.Add(await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running));
        }

        Assert.Equal(429, (await client.CreateBackfillAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00")).StatusCode);

        (await client.CancelBackfillAsync(tenant.TeamId, id, running[0].Id)).Expect(HttpStatusCode.OK);

        await client.CreateBackfillOkAsync(tenant.TeamId, id, "2021-01-01T00:00:00+00:00", "2021-01-01T01:00:00+00:00");
    }
}
