using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Runs;
using BatchExports.Temporal;
using Microsoft.EntityFrameworkCore;
using Temporalio.Activities;

namespace BatchExports.Worker.Activities;

/// <summary>
/// The backfill workflow's activities (worker spec §3.5): get-or-create the row, plan it with the shared
/// <see cref="BackfillPlanner"/>, finish it, and — after catching up with no end — unpause the export through the
/// same save every unpause uses (so its Temporal schedule is unpaused too).
/// </summary>
public sealed class BackfillActivities(
    BatchExportsDbContext db,
    BackfillPlanner planner,
    DestinationRegistry destinations,
    ScheduledSave save,
    ExportLog log,
    TimeProvider clock)
{
    /// <summary>The API normally created the row already; a backfill started elsewhere (Temporal's UI, a script) gets one here.</summary>
    [Activity("create_batch_export_backfill_model")]
    public async Task CreateBackfillAsync(BackfillWorkflowInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = ActivityExecutionContext.Current.CancellationToken;
        if (await db.BatchExportBackfills.AnyAsync(b => b.Id == input.BackfillId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        db.BatchExportBackfills.Add(new BatchExportBackfill
        {
            Id = input.BackfillId,
            TeamId = input.TeamId,
            BatchExportId = input.BatchExportId,
            StartAt = input.StartAt,
            EndAt = input.EndAt,
            Status = BackfillStatuses.Starting,
            CreatedAt = now,
            LastUpdatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>PostHog's <c>get_backfill_info</c> + <c>update_batch_export_backfill_model</c>: Starting → Running (or done at once).</summary>
    [Activity("get_backfill_info")]
    public async Task<BackfillPlan> PlanAsync(Guid backfillId)
    {
        var cancellationToken = ActivityExecutionContext.Current.CancellationToken;
        var backfill = await db.BatchExportBackfills.SingleAsync(b => b.Id == backfillId, cancellationToken);
        var export = await db.BatchExports.Include(e => e.Destination).SingleAsync(e => e.Id == backfill.BatchExportId, cancellationToken);
        if (backfill.Status == BackfillStatuses.Starting)
        {
            // A retry after the save finds Running and skips this.
            var message = await planner.PlanAsync(backfill, export, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await log.InfoAsync(backfill.TeamId, backfill.BatchExportId, null, message, cancellationToken);
        }

        return new BackfillPlan(
            backfill.Status, backfill.AdjustedStartAt ?? backfill.StartAt, backfill.EndAt,
            destinations.Get(export.Destination.Type).WorkflowName, ExportScheduleMapping.InputFor(export));
    }

    /// <summary>PostHog's final <c>update_batch_export_backfill_model</c>: the status, and what its Completed runs exported.</summary>
    [Activity("update_batch_export_backfill_model")]
    public async Task FinishBackfillAsync(FinishBackfillInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var backfill = await db.BatchExportBackfills.SingleAsync(b => b.Id == input.BackfillId);
        if (!BackfillStatuses.IsActive(backfill.Status))
        {
            // Already ended (the API cancelled it): that status stands.
            return;
        }

        var now = clock.GetUtcNow();
        var exported = await db.BatchExportRuns
            .Where(r => r.BackfillId == backfill.Id && r.Status == RunStatuses.Completed)
            .SumAsync(r => (long?)((r.RecordsCompleted ?? 0) + (r.RecordsFailed ?? 0))) ?? 0;
        BackfillPlanner.Complete(backfill, now, exported);
        backfill.Status = input.Status;
        await db.SaveChangesAsync();
        await log.WriteAsync(backfill.TeamId, backfill.BatchExportId, null,
            input.Status == BackfillStatuses.Completed ? LogLevels.Info : LogLevels.Warning,
            $"Backfill {backfill.Id} {input.Status.ToLowerInvariant()}: {exported} record(s) exported.", CancellationToken.None);
    }

    /// <summary>A backfill with no end caught up with now: hand over to the schedule (PostHog unpauses here).</summary>
    [Activity("unpause_batch_export")]
    public async Task UnpauseAsync(Guid batchExportId)
    {
        var cancellationToken = ActivityExecutionContext.Current.CancellationToken;
        var export = await db.BatchExports.Include(e => e.Destination).SingleAsync(e => e.Id == batchExportId, cancellationToken);
        if (!export.Paused || export.Deleted)
        {
            return;
        }

        export.Paused = false;
        export.LastUpdatedAt = clock.GetUtcNow();
        await save.SavePauseChangeAsync(export, cancellationToken);
    }
}
