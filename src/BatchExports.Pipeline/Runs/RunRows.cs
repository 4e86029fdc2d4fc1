using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Creates the row of one run, Starting, for a schedule's interval or a backfill's. The unique (export, interval end)
/// index makes a second insert of the same interval a no-op, never a duplicate, so two engines may race.
/// </summary>
public static class RunRows
{
    /// <summary>Returns 1 when the run was created, 0 when the interval already had one.</summary>
    public static Task<int> InsertAsync(
        BatchExportsDbContext db,
        Guid batchExportId,
        Guid? backfillId,
        DataInterval interval,
        DateTimeOffset now,
        DateTimeOffset nextAttemptAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO batch_export_runs (id, batch_export_id, backfill_id, status, data_interval_start, data_interval_end,
                created_at, last_updated_at, attempt, next_attempt_at)
            VALUES ({Guid.CreateVersion7()}, {batchExportId}, {backfillId}, 'Starting', {interval.Start}, {interval.End}, {now}, {now}, 0, {nextAttemptAt})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
    }
}
