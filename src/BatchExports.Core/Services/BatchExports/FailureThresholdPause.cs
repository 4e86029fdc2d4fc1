using BatchExports.Core.Domain;
using BatchExports.Core.Hosting;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// PostHog's automatic pause (worker spec, <c>finish_batch_export_run</c>): after a run ends Failed, an export whose
/// latest runs failed too often is paused like any pause (row and engine schedule together), with the reason in its
/// logs, and its running backfills are cancelled, so a broken destination stops costing runs until a user acts.
/// </summary>
public sealed class FailureThresholdPause(
    BatchExportsDbContext db,
    ScheduledSave save,
    BackfillService backfills,
    ExportLog log,
    TimeProvider clock,
    IOptions<BatchExportsOptions> options)
{
    /// <summary>PostHog's schedule note for this pause; we have no schedule notes, so it leads the export's log line.</summary>
    public const string Note = "Paused due to exceeding failure threshold";

    /// <summary>Pauses the export when it is over the threshold; returns whether it did.</summary>
    public async Task<bool> CheckAsync(Guid exportId, CancellationToken cancellationToken)
    {
        var export = await db.BatchExports.Include(e => e.Destination).SingleOrDefaultAsync(e => e.Id == exportId && !e.Deleted, cancellationToken);
        if (export == null || export.Paused)
        {
            return false;
        }

        var window = options.Value.FailureCheckWindow ?? Intervals.FailureCheckWindow(export.Interval);
        // PostHog refuses a window smaller than the threshold; capping keeps e.g. weekly exports (window 4) pausable.
        var threshold = Math.Min(options.Value.FailureThreshold, window);
        var failed = await db.BatchExportRuns
            .Where(r => r.BatchExportId == exportId)
            .OrderByDescending(r => r.LastUpdatedAt)
            .ThenByDescending(r => r.Id)
            .Take(window)
            .CountAsync(r => r.Status == RunStatuses.Failed, cancellationToken);
        if (failed < threshold)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        export.Paused = true;
        export.LastPausedAt = now;
        export.LastUpdatedAt = now;
        await save.SaveAsync(export, isNew: false, cancellationToken);
        await log.WarningAsync(export.TeamId, export.Id, null,
            $"{Note}: {failed} of the last {window} runs failed. Fix the cause, then unpause the batch export.", cancellationToken);

        var cancelled = await backfills.CancelActiveAsync(export, cancellationToken);
        if (cancelled > 0)
        {
            await log.WarningAsync(export.TeamId, export.Id, null, $"Cancelled {cancelled} running backfill(s) of the paused batch export.", cancellationToken);
        }

        return true;
    }
}
