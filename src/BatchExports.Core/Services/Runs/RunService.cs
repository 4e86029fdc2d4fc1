using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Backfills;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.Logs;
using BatchExports.Core.Services.Paging;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Runs;

/// <summary>Runs of an export: list, retrieve, cancel and retry (spec §1.3, §5.5).</summary>
public sealed class RunService(
    BatchExportsDbContext db,
    ExportLookup lookup,
    BackfillService backfills,
    IExportOrchestrator orchestrator,
    ExportLog log,
    TimeProvider clock)
{
    public const int PageSize = 100;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    public async Task<KeysetPage.Result<BatchExportRun>> ListAsync(
        ExportScope scope, string rawExportId, RunListQuery query, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        var now = clock.GetUtcNow();
        var runs = db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == export.Id);
        var byInterval = query.Ordering.TrimStart('-') == "data_interval_start";

        // As PostHog: ordering by data interval filters by data interval (start/end), otherwise by creation (after/before).
        if (byInterval)
        {
            var start = query.Start ?? now - DefaultWindow;
            var end = query.End ?? now;
            runs = runs.Where(r => (r.DataIntervalStart == null || r.DataIntervalStart >= start) && r.DataIntervalEnd <= end);
        }
        else
        {
            var after = query.After ?? now - DefaultWindow;
            var before = query.Before ?? now;
            runs = runs.Where(r => r.CreatedAt >= after && r.CreatedAt <= before);
        }

        if (query.Statuses.Count > 0)
        {
            var statuses = query.Statuses.ToList();
            runs = runs.Where(r => statuses.Contains(r.Status));
        }

        var descending = query.Ordering.StartsWith('-');
        return byInterval
            ? await KeysetPage.ReadAsync(runs, r => r.DataIntervalStart ?? DateTimeOffset.MinValue, r => r.Id, descending, query.Cursor, PageSize, cancellationToken)
            : await KeysetPage.ReadAsync(runs, r => r.CreatedAt, r => r.Id, descending, query.Cursor, PageSize, cancellationToken);
    }

    public async Task<BatchExportRun> GetAsync(ExportScope scope, string rawExportId, string rawRunId, CancellationToken cancellationToken) =>
        (await lookup.FindRunAsync(scope, rawExportId, rawRunId, tracked: false, cancellationToken)).Run;

    /// <summary>Cancels a Starting/Running run; its executor stops within a heartbeat.</summary>
    public async Task CancelAsync(ExportScope scope, string rawExportId, string rawRunId, CancellationToken cancellationToken)
    {
        var (export, run) = await lookup.FindRunAsync(scope, rawExportId, rawRunId, tracked: true, cancellationToken);
        if (!RunStatuses.IsActive(run.Status))
        {
            throw new ValidationException($"Cannot cancel a run that is in '{run.Status}' status");
        }

        // One transaction: an engine that cannot cancel the run's workflow leaves the run as it was.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            RunCancellation.MarkCancelled(run, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            await orchestrator.RunCancelledAsync(run, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await log.WarningAsync(export.TeamId, export.Id, run.Id, "The run was cancelled by a user.", cancellationToken);
    }

    /// <summary>Re-runs the run's interval as a one-interval backfill (PostHog has no status precondition).</summary>
    public async Task<Guid> RetryAsync(ExportScope scope, string rawExportId, string rawRunId, CancellationToken cancellationToken)
    {
        var (export, run) = await lookup.FindRunAsync(scope, rawExportId, rawRunId, tracked: false, cancellationToken);
        var backfill = await backfills.StartAsync(export, run.DataIntervalStart, run.DataIntervalEnd, enforceLimit: false, cancellationToken);
        return backfill.Id;
    }
}
