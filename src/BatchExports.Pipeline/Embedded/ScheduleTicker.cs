using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Turns every due boundary of every unpaused schedule into exactly one run. Schedules are locked with
/// <c>FOR UPDATE SKIP LOCKED</c> while their cursor moves, and the unique (export, interval end) index makes a
/// second engine on the same database a no-op, never a duplicate.
/// </summary>
public sealed class ScheduleTicker(
    IDbContextFactory<BatchExportsDbContext> contexts,
    ExportLog log,
    TimeProvider clock,
    IOptions<EngineOptions> options)
{
    /// <summary>Creates the runs due by now; returns how many were created.</summary>
    /// <remarks>
    /// Set-based, so a boundary shared by tens of thousands of schedules costs a few round trips rather than one per
    /// schedule: the due schedules are read (and locked) in one query, their intervals computed here from the one
    /// calendar, the runs inserted in one statement and the cursors moved in another, all in one transaction.
    /// </remarks>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var skippedLogs = new List<(BatchExportSchedule Schedule, int Count, DateTimeOffset First, DateTimeOffset Last)>();
        var runs = new List<(Guid BatchExportId, DataInterval Interval, DateTimeOffset NextAttemptAt)>();
        var cursors = new List<(Guid BatchExportId, DateTimeOffset LastBoundary, DateTimeOffset? NextFiringAt)>();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var schedules = await db.BatchExportSchedules
            .FromSql($"SELECT * FROM batch_export_schedules WHERE NOT paused AND next_firing_at <= {now} FOR UPDATE SKIP LOCKED")
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var oldestAllowed = now - options.Value.CatchUpWindow;
        foreach (var schedule in schedules)
        {
            var spec = ScheduleSpec.Of(schedule);
            var firings = ExportCalendar.FiringsBetween(spec, schedule.LastBoundary, now).ToList();
            if (firings.Count == 0)
            {
                cursors.Add((schedule.BatchExportId, schedule.LastBoundary, ExportCalendar.NextFiring(spec, schedule.LastBoundary)));
                continue;
            }

            var skipped = firings.Where(b => b < oldestAllowed).ToList();
            if (skipped.Count > 0)
            {
                skippedLogs.Add((schedule, skipped.Count, skipped[0], skipped[^1]));
            }

            foreach (var boundary in firings.Where(b => b >= oldestAllowed))
            {
                var interval = ExportCalendar.IntervalEndingAt(spec, boundary);
                runs.Add((schedule.BatchExportId, interval, interval.End + options.Value.SettleDelay));
            }

            cursors.Add((schedule.BatchExportId, firings[^1], ExportCalendar.NextFiring(spec, firings[^1])));
        }

        var created = await RunRows.InsertManyAsync(db, backfillId: null, runs, now, cancellationToken);
        await MoveCursorsAsync(db, cursors, cancellationToken);
        if (created > 0)
        {
            // Another engine on the database may be the one with idle executors when the settle delay ends.
            await EngineNotifications.NotifyAsync(db, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        foreach (var (schedule, count, first, last) in skippedLogs)
        {
            await log.WarningAsync(schedule.TeamId, schedule.BatchExportId, null,
                $"Skipped {count} interval(s) ending {WireJson.FormatDateTime(first)} to {WireJson.FormatDateTime(last)}: they were missed while no engine was running, " +
                $"longer ago than the catch-up window of {options.Value.CatchUpWindow}. Create a backfill to export them.",
                cancellationToken);
        }

        return created;
    }

    private static Task<int> MoveCursorsAsync(
        BatchExportsDbContext db, List<(Guid BatchExportId, DateTimeOffset LastBoundary, DateTimeOffset? NextFiringAt)> cursors, CancellationToken cancellationToken) =>
        cursors.Count == 0 ? Task.FromResult(0) : db.Database.ExecuteSqlRawAsync("""
            UPDATE batch_export_schedules s SET last_boundary = c.last_boundary, next_firing_at = c.next_firing_at
            FROM unnest(@ids, @boundaries, @firings) AS c(batch_export_id, last_boundary, next_firing_at)
            WHERE s.batch_export_id = c.batch_export_id
            """,
            [
                new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = cursors.Select(c => c.BatchExportId).ToArray() },
                new NpgsqlParameter("boundaries", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = cursors.Select(c => c.LastBoundary.ToUniversalTime()).ToArray() },
                new NpgsqlParameter("firings", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = cursors.Select(c => c.NextFiringAt?.ToUniversalTime()).ToArray() },
            ],
            cancellationToken);
}
