using BatchExports.Core.Domain;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// The embedded engine's side of the orchestration port. Its state lives in the same database, so every change is
/// written through the caller's DbContext and commits (or rolls back) with the export itself; so does the
/// <see cref="EngineNotifications"/> that wakes the engines for new runnable work (delivered on commit, so they see it).
/// Executors and the backfill driver observe cancellations from the rows, so those need no signal here.
/// </summary>
public sealed class EmbeddedOrchestrator(BatchExportsDbContext db, TimeProvider clock) : IExportOrchestrator
{
    public async Task ExportSavedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        // An export not saved yet (a create) has no schedule row to look for: no query, one round trip less per POST.
        var schedule = db.Entry(export).State == EntityState.Added
            ? null
            : await db.BatchExportSchedules.SingleOrDefaultAsync(s => s.BatchExportId == export.Id, cancellationToken);
        ScheduleSync.Apply(export, schedule ?? db.BatchExportSchedules.Add(new BatchExportSchedule { BatchExportId = export.Id }).Entity, schedule == null, clock.GetUtcNow());
        // No notification: a new firing is found by the next poll, and the run it creates waits for its settle delay
        // anyway (longer than a poll), then starts on the engine's due-time timer. Waking every engine on each save
        // would cost a scheduler step per POST while thousands of exports are created.
    }

    public async Task ExportDeletedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        var schedule = await db.BatchExportSchedules.SingleOrDefaultAsync(s => s.BatchExportId == export.Id, cancellationToken);
        if (schedule != null)
        {
            db.BatchExportSchedules.Remove(schedule);
        }
    }

    public Task RunCancelledAsync(BatchExportRun run, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task BackfillCreatedAsync(BatchExportBackfill backfill, CancellationToken cancellationToken) => EngineNotifications.NotifyAsync(db, cancellationToken);

    public Task OnDemandRunCreatedAsync(BatchExportRun run, CancellationToken cancellationToken) => EngineNotifications.NotifyAsync(db, cancellationToken);

    public Task BackfillCancelledAsync(BatchExportBackfill backfill, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>How an export row becomes its embedded schedule; used on save and by the start-up reconcile.</summary>
public static class ScheduleSync
{
    public static void Apply(BatchExport export, BatchExportSchedule schedule, bool isNew, DateTimeOffset now)
    {
        var newSpec = ScheduleSpec.Of(export);
        var boundariesMoved = isNew || !ScheduleSpec.Of(schedule).SameBoundariesAs(newSpec);
        var unpaused = !isNew && schedule.Paused && !export.Paused;

        // A new or re-timed schedule starts at the next boundary; an unpaused one skips the paused gap
        // (unpause with "backfill": true covers that gap explicitly).
        if (boundariesMoved || unpaused)
        {
            schedule.LastBoundary = ExportCalendar.Floor(newSpec, now);
        }

        schedule.TeamId = export.TeamId;
        schedule.Paused = export.Paused;
        schedule.Interval = export.Interval;
        schedule.Timezone = export.Timezone;
        schedule.IntervalOffset = export.IntervalOffset;
        schedule.StartAt = export.StartAt;
        schedule.EndAt = export.EndAt;
        schedule.NextFiringAt = ExportCalendar.NextFiring(newSpec, schedule.LastBoundary);
        schedule.UpdatedAt = now;
    }
}
