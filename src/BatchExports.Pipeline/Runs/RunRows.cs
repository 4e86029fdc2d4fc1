using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Creates the rows of runs, Starting, for a schedule's intervals or a backfill's. The unique (export, interval end)
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
        CancellationToken cancellationToken) =>
        InsertManyAsync(db, backfillId, [(batchExportId, interval, nextAttemptAt)], now, cancellationToken);

    /// <summary>
    /// Runs of many intervals (of one backfill, or scheduled when <paramref name="backfillId"/> is null) in one
    /// statement, so a boundary of tens of thousands of schedules is one round trip; returns how many were created
    /// (intervals that already had a run are skipped).
    /// </summary>
    public static Task<int> InsertManyAsync(
        BatchExportsDbContext db,
        Guid? backfillId,
        IReadOnlyList<(Guid BatchExportId, DataInterval Interval, DateTimeOffset NextAttemptAt)> runs,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            return Task.FromResult(0);
        }

        // timestamptz parameters must be UTC.
        return db.Database.ExecuteSqlRawAsync("""
            INSERT INTO batch_export_runs (id, batch_export_id, backfill_id, status, data_interval_start, data_interval_end,
                created_at, last_updated_at, attempt, next_attempt_at)
            SELECT r.id, r.batch_export_id, @backfill, 'Starting', r.data_interval_start, r.data_interval_end, @now, @now, 0, r.next_attempt_at
            FROM unnest(@ids, @exports, @starts, @ends, @next) AS r(id, batch_export_id, data_interval_start, data_interval_end, next_attempt_at)
            ON CONFLICT DO NOTHING
            """,
            [
                new NpgsqlParameter("backfill", NpgsqlDbType.Uuid) { Value = (object?)backfillId ?? DBNull.Value },
                new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now.ToUniversalTime() },
                new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = runs.Select(_ => Guid.CreateVersion7()).ToArray() },
                new NpgsqlParameter("exports", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = runs.Select(r => r.BatchExportId).ToArray() },
                new NpgsqlParameter("starts", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = runs.Select(r => r.Interval.Start.ToUniversalTime()).ToArray() },
                new NpgsqlParameter("ends", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = runs.Select(r => r.Interval.End.ToUniversalTime()).ToArray() },
                new NpgsqlParameter("next", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = runs.Select(r => r.NextAttemptAt.ToUniversalTime()).ToArray() },
            ],
            cancellationToken);
    }
}
