using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Drives backfills one interval at a time, as PostHog's backfill workflow does: a Starting backfill is planned by
/// <see cref="BackfillPlanner"/> (earliest data, estimate) and becomes Running; a Running one gets its next run once the
/// previous one has finished, and completes after the last. Each backfill row is locked while it moves.
/// </summary>
public sealed class BackfillDriver(
    IDbContextFactory<BatchExportsDbContext> contexts,
    BackfillPlanner planner,
    ExportLog log,
    TimeProvider clock)
{
    /// <summary>Moves every Starting or Running backfill one step; true when any of them changed (planned, a run created, completed).</summary>
    public async Task<bool> TickAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var backfills = await db.BatchExportBackfills
            .FromSql($"SELECT * FROM batch_export_backfills WHERE status IN ('Starting', 'Running') ORDER BY created_at FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        var messages = new List<(BatchExportBackfill Backfill, string Level, string Message)>();
        var changed = false;

        foreach (var backfill in backfills)
        {
            var (moved, message, _) = await StepAsync(db, backfill, cancellationToken);
            changed |= moved;
            if (message != null)
            {
                messages.Add((backfill, LogLevels.Info, message));
            }
        }

        if (changed)
        {
            // A created run may be claimed by another engine's idle executor.
            await EngineNotifications.NotifyAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var (backfill, level, message) in messages)
        {
            await log.WriteAsync(backfill.TeamId, backfill.BatchExportId, null, level, message, cancellationToken);
        }

        return changed;
    }

    /// <summary>
    /// Moves one Running backfill on right after one of its runs finished, in the executor that ran it rather than at
    /// the scheduler's next tick: its next interval's run, created and — with <paramref name="claim"/> — claimed for
    /// that executor in the same transaction (so it starts without a claim, a wake-up or a notification), or Completed.
    /// The backfill row is locked while it moves, as in <see cref="TickAsync"/>, so two engines never run two of its
    /// intervals at once. Returns null when the row was locked by another step (then that step, or the next tick, moves
    /// it); otherwise the run claimed for the caller, if any.
    /// </summary>
    public async Task<BackfillAdvance?> AdvanceAsync(Guid backfillId, RunClaim? claim, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var locked = await db.BatchExportBackfills
            .FromSql($"SELECT * FROM batch_export_backfills WHERE id = {backfillId} FOR UPDATE SKIP LOCKED")
            .SingleOrDefaultAsync(cancellationToken);
        if (locked == null)
        {
            // Locked by another step, or gone with its export; either way not ours to move now.
            return null;
        }

        if (locked.Status != BackfillStatuses.Running)
        {
            // Cancelled, completed, failed — or still Starting, which only the tick plans: nothing follows from this run.
            return new BackfillAdvance(false, null, null);
        }

        var before = locked.LastIntervalEnd;
        var (moved, message, export) = await StepAsync(db, locked, cancellationToken);
        BatchExportRun? claimed = null;
        if (moved && locked.LastIntervalEnd != before && claim != null)
        {
            // The run just inserted: claimed as RunExecutor's claim would (attempt 1, our lease), before anyone can see it.
            var claims = await db.BatchExportRuns.FromSqlInterpolated($"""
                UPDATE batch_export_runs
                SET status = 'Running', attempt = attempt + 1, lease_owner = {claim.InstanceId},
                    lease_expires_at = {claim.LeaseUntil}, last_updated_at = {claim.Now}
                WHERE backfill_id = {locked.Id} AND data_interval_end = {locked.LastIntervalEnd} AND status = 'Starting'
                RETURNING *
                """).AsNoTracking().ToListAsync(cancellationToken);
            claimed = claims.SingleOrDefault();
        }

        if (moved && claimed == null)
        {
            // A created run nobody claimed yet may be claimed by another engine's idle executor.
            await EngineNotifications.NotifyAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (message != null)
        {
            await log.WriteAsync(locked.TeamId, locked.BatchExportId, null, LogLevels.Info, message, cancellationToken);
        }

        return new BackfillAdvance(moved, claimed, claimed == null ? null : export);
    }

    /// <summary>One step of a locked backfill: planned when Starting, else advanced; whether it changed, the line for the export's log, and its export.</summary>
    private async Task<(bool Moved, string? Message, BatchExport Export)> StepAsync(BatchExportsDbContext db, BatchExportBackfill backfill, CancellationToken cancellationToken)
    {
        var export = await db.BatchExports.Include(e => e.Destination).SingleAsync(e => e.Id == backfill.BatchExportId, cancellationToken);
        var before = (backfill.Status, backfill.LastIntervalEnd);
        var message = backfill.Status == BackfillStatuses.Starting
            ? await planner.PlanAsync(backfill, export, cancellationToken)
            : await AdvanceAsync(db, backfill, export, cancellationToken);
        return (before != (backfill.Status, backfill.LastIntervalEnd), message, export);
    }

    /// <summary>Running: create the next interval's run once the previous one finished, or complete.</summary>
    private async Task<string?> AdvanceAsync(BatchExportsDbContext db, BatchExportBackfill backfill, BatchExport export, CancellationToken cancellationToken)
    {
        var busy = await db.BatchExportRuns.AnyAsync(
            r => r.BackfillId == backfill.Id && (r.Status == RunStatuses.Starting || r.Status == RunStatuses.Running), cancellationToken);
        if (busy)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (BackfillPlanner.NextInterval(backfill, export, now) is not { } next)
        {
            var exported = await db.BatchExportRuns
                .Where(r => r.BackfillId == backfill.Id && r.Status == RunStatuses.Completed)
                .SumAsync(r => (long?)((r.RecordsCompleted ?? 0) + (r.RecordsFailed ?? 0)), cancellationToken) ?? 0;
            BackfillPlanner.Complete(backfill, now, exported);
            if (backfill.EndAt == null && export.Paused)
            {
                // Caught up with now: hand over to the schedule (PostHog unpauses at this point).
                export.Paused = false;
                export.LastUpdatedAt = now;
                var schedule = await db.BatchExportSchedules.SingleOrDefaultAsync(s => s.BatchExportId == export.Id, cancellationToken);
                if (schedule != null)
                {
                    ScheduleSync.Apply(export, schedule, isNew: false, now);
                }
            }

            return $"Backfill {backfill.Id} completed: {exported} record(s) exported.";
        }

        if (export.Deleted)
        {
            return null;
        }

        await RunRows.InsertAsync(db, export.Id, backfill.Id, next, now, nextAttemptAt: now, cancellationToken);
        backfill.LastIntervalEnd = next.End;
        backfill.LastUpdatedAt = now;
        return null;
    }
}
