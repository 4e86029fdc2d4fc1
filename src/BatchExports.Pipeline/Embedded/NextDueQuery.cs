using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// When the engine next has work it already knows of: the earliest next firing of an unpaused schedule, or the earliest
/// not-before of a run waiting for its settle delay or retry back-off. Both are index scans (ix_batch_export_schedules_due,
/// ix_batch_export_runs_claimable), so asking after every idle step is cheap. Only future times count: one already past
/// that a tick did not move (a schedule locked by another engine) is the poll's, else the engine would wake in a spin.
/// </summary>
public static class NextDueQuery
{
    public static async Task<DateTimeOffset?> EarliestAsync(BatchExportsDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT LEAST(
                (SELECT min(next_firing_at) FROM batch_export_schedules WHERE NOT paused AND next_firing_at > {now}),
                (SELECT min(next_attempt_at) FROM batch_export_runs
                 WHERE status IN ('Starting', 'Running') AND next_attempt_at > {now} AND lease_expires_at IS NULL)) AS "Value"
            """).SingleAsync(cancellationToken);
    }
}
