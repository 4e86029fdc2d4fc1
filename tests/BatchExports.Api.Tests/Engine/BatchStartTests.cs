using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Embedded;
using BatchExports.Pipeline.Runs;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// A claimed batch starts together (RunLifecycle.StartManyAsync): the runs that may start get their start lines in one
/// insert — one transaction, so one xmin — and a run that may not start ends as a single start would have ended it.
/// </summary>
public sealed class BatchStartTests : IsolatedEngineTest
{
    private const string Us = "engine-us";

    [Fact]
    public async Task ABatchOfRuns_StartLinesInOneInsert_AndARunGivenUpEndsAsAlone()
    {
        var (_, _, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var end = Factory.MoveToMinutePastTheHour(0);
        var leaseUntil = Factory.Clock.GetUtcNow() + TimeSpan.FromSeconds(30);
        Task<BatchExportRun> Leased(int hoursAgo, int attempt) =>
            Factory.RunAsync(id, end - TimeSpan.FromHours(hoursAgo), RunStatuses.Running, r => (r.LeaseOwner, r.LeaseExpiresAt, r.Attempt) = (Us, leaseUntil, attempt));
        BatchExportRun[] runs = [await Leased(1, 1), await Leased(2, 1), await Leased(3, 1), await Leased(4, 4)];
        var lifecycle = Factory.Services.GetRequiredService<RunLifecycle>();
        var exports = await lifecycle.LoadExportsAsync(runs, CancellationToken.None);

        var started = await lifecycle.StartManyAsync(
            [.. runs.Select(r => (r, exports[r.Id], (IRunOwnership)new RunLease(r.Id, Us)))], new RunRetryPolicy(3, TimeSpan.FromSeconds(10)), CancellationToken.None);

        Assert.Equal([true, true, true, false], started.Select(s => s != null));
        await using var db = Factory.CreateDbContext();
        var startIds = runs.Take(3).Select(r => r.Id.ToString()).ToArray();
        var transactions = await db.Database.SqlQuery<int>($"""
            SELECT count(DISTINCT xmin::text)::int AS "Value" FROM batch_export_log_entries
            WHERE instance_id = ANY({startIds}) AND message LIKE 'Batch exporting range %'
            """).SingleAsync();
        Assert.Equal(1, transactions);
        Assert.Equal(3, await db.BatchExportLogEntries.CountAsync(l => startIds.Contains(l.InstanceId) && l.Message.StartsWith("Batch exporting range")));
        var givenUp = await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == runs[3].Id);
        Assert.Equal((RunStatuses.FailedRetryable, (string?)null), (givenUp.Status, givenUp.LeaseOwner));
        Assert.Single(await db.BatchExportLogEntries.Where(l => l.InstanceId == runs[3].Id.ToString()).ToListAsync());
    }
}
