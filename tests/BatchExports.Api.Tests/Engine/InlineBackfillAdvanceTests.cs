using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// The engine loop's executor moves a backfill on itself once its run finished (BackfillDriver.AdvanceAsync): the next
/// interval's run is created already claimed and executed straight after, one interval at a time and in order, and
/// nothing follows a cancel.
/// </summary>
public sealed class InlineBackfillAdvanceTests : IsolatedEngineTest
{
    private async Task<(Guid ExportId, Guid BackfillId, DateTimeOffset Start)> RunningBackfillAsync(int hours)
    {
        var hour = Factory.MoveToMinutePastTheHour(10) - TimeSpan.FromMinutes(10);
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var start = hour - TimeSpan.FromHours(hours + 1);
        await Factory.EventsAsync(tenant.TeamId, start + TimeSpan.FromMinutes(17));
        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(start), Iso(start + TimeSpan.FromHours(hours))))["backfill_id"]!;
        // Planned, then its first run created (Starting), by the scheduler loop's ticks.
        await Factory.Engine.TickAsync();
        await Factory.Engine.TickAsync();
        return (id, Guid.Parse(backfillId), start);
    }

    private async Task<List<BatchExportRun>> RunsAsync(Guid exportId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == exportId).OrderBy(r => r.DataIntervalEnd).ToListAsync();
    }

    private async Task<BatchExportBackfill> BackfillAsync(Guid backfillId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportBackfills.AsNoTracking().SingleAsync(b => b.Id == backfillId);
    }

    [Fact]
    public async Task OneBatch_RunsEveryIntervalOfTheBackfill_InOrder_EachCreatedAfterThePreviousFinished_ThenCompletesIt()
    {
        var (id, backfillId, start) = await RunningBackfillAsync(hours: 4);

        Assert.Equal(4, await Factory.Engine.Executor.ExecuteBatchAsync(16, advanceBackfills: true, CancellationToken.None));

        var runs = await RunsAsync(id);
        Assert.Equal(Enumerable.Range(1, 4).Select(h => start + TimeSpan.FromHours(h)).ToArray(), runs.Select(r => r.DataIntervalEnd).ToArray());
        Assert.All(runs, r => Assert.Equal((RunStatuses.Completed, 1, backfillId, (string?)null), (r.Status, r.Attempt, r.BackfillId!.Value, r.LeaseOwner)));
        // One interval at a time: each run was created once the previous one had finished.
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i].CreatedAt >= runs[i - 1].FinishedAt!.Value);
        }

        var backfill = await BackfillAsync(backfillId);
        Assert.Equal(BackfillStatuses.Completed, backfill.Status);
        Assert.NotNull(backfill.FinishedAt);
        Assert.Equal(0, await Factory.Engine.Executor.ExecuteBatchAsync(16, advanceBackfills: true, CancellationToken.None));
    }

    [Fact]
    public async Task ABackfillCancelledWhileItsRunRan_GetsNoFurtherRun()
    {
        var (id, backfillId, _) = await RunningBackfillAsync(hours: 3);
        await using (var db = Factory.CreateDbContext())
        {
            // As if the cancel landed between the run's claim and its finish: the run itself still completes.
            await db.BatchExportBackfills.Where(b => b.Id == backfillId).ExecuteUpdateAsync(set => set.SetProperty(b => b.Status, BackfillStatuses.Cancelled));
        }

        Assert.Equal(1, await Factory.Engine.Executor.ExecuteBatchAsync(16, advanceBackfills: true, CancellationToken.None));

        Assert.Equal([RunStatuses.Completed], (await RunsAsync(id)).Select(r => r.Status).ToArray());
        Assert.Equal(BackfillStatuses.Cancelled, (await BackfillAsync(backfillId)).Status);
    }

    [Fact]
    public async Task ABackfillOfAnExportDeletedWhileItsRunRan_GetsNoFurtherRun()
    {
        var (id, backfillId, _) = await RunningBackfillAsync(hours: 3);
        await using (var db = Factory.CreateDbContext())
        {
            await db.BatchExports.Where(e => e.Id == id).ExecuteUpdateAsync(set => set.SetProperty(e => e.Deleted, true));
        }

        Assert.Equal(1, await Factory.Engine.Executor.ExecuteBatchAsync(16, advanceBackfills: true, CancellationToken.None));

        Assert.Equal([RunStatuses.Cancelled], (await RunsAsync(id)).Select(r => r.Status).ToArray());
    }
}
