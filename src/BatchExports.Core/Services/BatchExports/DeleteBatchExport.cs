using BatchExports.Core.Domain;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Runs;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>Deletes a batch export (soft, as PostHog): its schedule, running backfills and runs stop with it.</summary>
public sealed class DeleteBatchExport(ExportLookup lookup, BatchExportsDbContext db, IExportOrchestrator orchestrator, TimeProvider clock)
{
    public async Task DeleteAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawId, tracked: true, cancellationToken);
        var now = clock.GetUtcNow();
        await using var transaction = await EngineTransaction.BeginAsync(db, orchestrator, cancellationToken);
        export.Deleted = true;
        export.LastUpdatedAt = now;

        var backfills = await db.BatchExportBackfills
            .Where(b => b.BatchExportId == export.Id && (b.Status == BackfillStatuses.Starting || b.Status == BackfillStatuses.Running))
            .ToListAsync(cancellationToken);
        var runs = await db.BatchExportRuns
            .Where(r => r.BatchExportId == export.Id && (r.Status == RunStatuses.Starting || r.Status == RunStatuses.Running))
            .ToListAsync(cancellationToken);
        backfills.ForEach(b => RunCancellation.MarkBackfillCancelled(b, now));
        runs.ForEach(r => RunCancellation.MarkCancelled(r, now));

        await orchestrator.ExportDeletedAsync(export, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var backfill in backfills)
        {
            await orchestrator.BackfillCancelledAsync(backfill, cancellationToken);
        }

        foreach (var run in runs)
        {
            await orchestrator.RunCancelledAsync(run, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
