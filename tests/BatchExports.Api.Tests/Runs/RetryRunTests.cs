using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Runs;

/// <summary>Retry re-exports a run's interval as a one-interval backfill, which the engine turns into one run.</summary>
public sealed class RetryRunTests : IsolatedEngineTest
{
    /// <summary>Moves the clock onto the next full hour and returns the end of an interval two hours before it.</summary>
    private DateTimeOffset PastIntervalEnd() => Factory.MoveToMinutePastTheHour(0) - TimeSpan.FromHours(2);

    private async Task<List<BatchExportRun>> RunsAsync(Guid exportId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == exportId).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync();
    }

    [Theory]
    [InlineData(RunStatuses.Failed)]
    [InlineData(RunStatuses.Completed)]
    public async Task Retry_Is200WithABackfillId_AndTheEngineRunsTheIntervalOnceMore(string status)
    {
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var run = await Factory.RunAsync(id, PastIntervalEnd(), status);
        // A retry is a backfill: over an interval without data it would finish at once, with no run (as PostHog).
        await Factory.EventsAsync(tenant.TeamId, run.DataIntervalEnd - TimeSpan.FromMinutes(1));

        var response = (await client.RetryRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);

        Assert.Equal(["backfill_id"], response.AsObject().Select(p => p.Key).ToArray());
        var backfillId = Guid.Parse((string)response["backfill_id"]!);
        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal(ListRunsTests.Micros(run.DataIntervalStart!.Value), (string?)backfill["start_at"]);
        Assert.Equal(ListRunsTests.Micros(run.DataIntervalEnd), (string?)backfill["end_at"]);

        await Factory.Engine.DriveAsync();

        // (The schedule may have fired meanwhile; those runs have no backfill.)
        var runs = await RunsAsync(id);
        var retried = Assert.Single(runs, r => r.BackfillId != null);
        Assert.Equal(backfillId, retried.BackfillId);
        Assert.Equal(run.DataIntervalStart, retried.DataIntervalStart);
        Assert.Equal(run.DataIntervalEnd, retried.DataIntervalEnd);
        Assert.Equal(RunStatuses.Completed, retried.Status);
        Assert.Equal(status, runs.Single(r => r.Id == run.Id).Status);
        backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)backfill["status"]);
        Assert.Equal(1.0, (double)backfill["progress"]!["progress"]!);
        Assert.Equal(1, (int)backfill["progress"]!["total_runs"]!);
    }

    [Fact]
    public async Task Retry_OfARunOfADayExportInATimeZone_RunsExactlyThatLocalDay()
    {
        var body = ExportBody(NoOpDestination(), "day");
        body["timezone"] = "Asia/Kathmandu";
        body["offset_hour"] = 20;
        var (tenant, client, id) = await Factory.ExportAsync(body);
        var spec = new ScheduleSpec("day", "Asia/Kathmandu", 20 * 3600);
        var interval = ExportCalendar.IntervalEndingAt(spec, ExportCalendar.Previous(spec, Factory.Clock.GetUtcNow()));
        var run = await Factory.RunAsync(id, interval.End, RunStatuses.Failed, r => r.DataIntervalStart = interval.Start);
        await Factory.EventsAsync(tenant.TeamId, interval.End - TimeSpan.FromMinutes(1));

        (await client.RetryRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);
        await Factory.Engine.DriveAsync();

        var retried = Assert.Single(await RunsAsync(id), r => r.BackfillId != null);
        Assert.Equal(interval.Start, retried.DataIntervalStart);
        Assert.Equal(interval.End, retried.DataIntervalEnd);
    }

    [Fact]
    public async Task Retry_IsNotLimitedByTheConcurrentBackfillLimit()
    {
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        for (var i = 0; i < 3; i++)
        {
            await Factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        }

        var run = await Factory.RunAsync(id, PastIntervalEnd(), RunStatuses.Failed);

        (await client.RetryRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Retry_OfARunCreatedMoreThan7DaysAgo_Works()
    {
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var now = Factory.Clock.GetUtcNow();
        var run = await Factory.RunAsync(id, PastIntervalEnd() - TimeSpan.FromDays(20), RunStatuses.Failed, r => r.CreatedAt = now - TimeSpan.FromDays(20));

        (await client.RetryRunAsync(tenant.TeamId, id, run.Id)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Retry_WithAReadOnlyKey_Is403_AndCreatesNothing()
    {
        var (tenant, _, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var run = await Factory.RunAsync(id, PastIntervalEnd(), RunStatuses.Failed);
        var readOnly = await Factory.CreateKeyAsync(tenant.Email, tenant.OrganizationId, ["batch_export:read"]);

        (await Factory.CreateApiClient(readOnly).RetryRunAsync(tenant.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "API key missing required scope 'batch_export:write'");

        await using var db = Factory.CreateDbContext();
        Assert.False(await db.BatchExportBackfills.AnyAsync());
    }

    [Fact]
    public async Task Retry_OfAnotherOrganizationsRun_Is403()
    {
        var (owner, _, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var run = await Factory.RunAsync(id, PastIntervalEnd(), RunStatuses.Failed);
        var stranger = await Factory.CreateTenantAsync();

        (await Factory.CreateApiClient(stranger.ApiKey).RetryRunAsync(owner.TeamId, id, run.Id))
            .ExpectError(HttpStatusCode.Forbidden, "authentication_error", "You don't have access to the project.");
    }
}
