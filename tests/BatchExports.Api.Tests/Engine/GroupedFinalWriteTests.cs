using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Embedded;
using BatchExports.Pipeline.Runs;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// The grouped final write (RunFinalWriter) writes each run of a group as its own UPDATE would have: only a run still
/// ours (our lease, Running) gets its status and its line; a cancelled run or one another engine took over keeps what
/// it had.
/// </summary>
public sealed class GroupedFinalWriteTests : IsolatedEngineTest
{
    private const string Us = "engine-us";

    [Fact]
    public async Task AGroupOfFinalWrites_WritesOnlyTheRunsStillOurs_AndTheirLines()
    {
        var (tenant, _, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var end = Factory.MoveToMinutePastTheHour(0);
        var leaseUntil = Factory.Clock.GetUtcNow() + TimeSpan.FromSeconds(30);
        Task<BatchExportRun> Leased(int hoursAgo, string owner, string status = RunStatuses.Running) =>
            Factory.RunAsync(id, end - TimeSpan.FromHours(hoursAgo), status, r => (r.LeaseOwner, r.LeaseExpiresAt, r.Attempt) = (owner, leaseUntil, 1));
        var completed = await Leased(1, Us);
        var cancelled = await Leased(2, Us, RunStatuses.Cancelled);
        var takenOver = await Leased(3, "engine-other");
        var failed = await Leased(4, Us);
        var writer = new RunFinalWriter(Factory.Services.GetRequiredService<IDbContextFactory<BatchExportsDbContext>>());
        var now = Factory.Clock.GetUtcNow();
        RunFinalWrite Final(BatchExportRun run, string status, string? error, RunOutcome? outcome) =>
            new(new RunLease(run.Id, Us), status, error, outcome, now, ExportLog.RunEntry(tenant.TeamId, run, LogLevels.Info, $"final of {run.Id}", now));

        var written = await Task.WhenAll(
            writer.WriteAsync(Final(completed, RunStatuses.Completed, null, new RunOutcome(5, 10, 7)), CancellationToken.None),
            writer.WriteAsync(Final(cancelled, RunStatuses.Completed, null, new RunOutcome(5, 10)), CancellationToken.None),
            writer.WriteAsync(Final(takenOver, RunStatuses.Completed, null, new RunOutcome(5, 10)), CancellationToken.None),
            writer.WriteAsync(Final(failed, RunStatuses.Failed, "nope", null), CancellationToken.None));

        Assert.Equal([true, false, false, true], written);
        await using var db = Factory.CreateDbContext();
        var stored = await db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == id).ToDictionaryAsync(r => r.Id);
        Assert.Equal((RunStatuses.Completed, 5, 10L, 7L, (string?)null, now), (stored[completed.Id].Status, stored[completed.Id].RecordsCompleted!.Value,
            stored[completed.Id].BytesExported!.Value, stored[completed.Id].RecordsTotalCount!.Value, stored[completed.Id].LeaseOwner, stored[completed.Id].FinishedAt!.Value));
        Assert.Equal(RunStatuses.Cancelled, stored[cancelled.Id].Status);
        Assert.Equal((RunStatuses.Running, "engine-other", (DateTimeOffset?)leaseUntil), (stored[takenOver.Id].Status, stored[takenOver.Id].LeaseOwner, stored[takenOver.Id].LeaseExpiresAt));
        Assert.Equal((RunStatuses.Failed, "nope", (int?)null, (string?)null), (stored[failed.Id].Status, stored[failed.Id].LatestError, stored[failed.Id].RecordsCompleted, stored[failed.Id].LeaseOwner));
        var lines = await db.BatchExportLogEntries.AsNoTracking().Where(l => l.BatchExportId == id).Select(l => l.InstanceId).ToListAsync();
        Assert.Equal(new[] { completed.Id.ToString(), failed.Id.ToString() }.Order(), lines.Order());
    }
}
