using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Re-derives every schedule from the export rows (the source of truth): missing schedules are created, drifted
/// ones corrected (keeping their cursor when the boundaries did not move), orphans removed. Runs at engine start.
/// </summary>
public sealed class ScheduleReconciler(IDbContextFactory<BatchExportsDbContext> contexts, TimeProvider clock)
{
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exports = await db.BatchExports.Where(e => !e.Deleted).ToListAsync(cancellationToken);
        var schedules = await db.BatchExportSchedules.ToDictionaryAsync(s => s.BatchExportId, cancellationToken);
        var now = clock.GetUtcNow();
        var changed = 0;

        foreach (var export in exports)
        {
            if (!schedules.Remove(export.Id, out var schedule))
            {
                schedule = db.BatchExportSchedules.Add(new BatchExportSchedule { BatchExportId = export.Id }).Entity;
                ScheduleSync.Apply(export, schedule, isNew: true, now);
                changed++;
            }
            else if (schedule.Paused != export.Paused
                || !ScheduleSpec.Of(schedule).Equals(ScheduleSpec.Of(export))
                || schedule.TeamId != export.TeamId
                || schedule.NextFiringAt != ExportCalendar.NextFiring(ScheduleSpec.Of(export), schedule.LastBoundary))
            {
                ScheduleSync.Apply(export, schedule, isNew: false, now);
                changed++;
            }
        }

        // What is left belongs to deleted or vanished exports.
        db.BatchExportSchedules.RemoveRange(schedules.Values);
        changed += schedules.Count;
        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }
}
