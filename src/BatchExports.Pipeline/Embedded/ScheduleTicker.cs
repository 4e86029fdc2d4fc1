using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var created = 0;
        var skippedLogs = new List<(BatchExportSchedule Schedule, int Count, DateTimeOffset First, DateTimeOffset Last)>();

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var schedules = await db.BatchExportSchedules
            .FromSql($"SELECT * FROM batch_export_schedules WHERE NOT paused AND next_firing_at <= {now} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);

        foreach (var schedule in schedules)
        {
            var spec = ScheduleSpec.Of(schedule);
            var firings = ExportCalendar.FiringsBetween(spec, schedule.LastBoundary, now).ToList();
            if (firings.Count == 0)
            {
                schedule.NextFiringAt = ExportCalendar.NextFiring(spec, schedule.LastBoundary);
                continue;
            }

            var oldestAllowed = now - options.Value.CatchUpWindow;
            var skipped = firings.Where(b => b < oldestAllowed).ToList();
            if (skipped.Count > 0)
            {
                skippedLogs.Add((schedule, skipped.Count, skipped[0], skipped[^1]));
            }

            foreach (var boundary in firings.Where(b => b >= oldestAllowed))
            {
                var interval = ExportCalendar.IntervalEndingAt(spec, boundary);
                created += await RunRows.InsertAsync(
                    db, schedule.BatchExportId, backfillId: null, interval, now, interval.End + options.Value.SettleDelay, cancellationToken);
            }

            schedule.LastBoundary = firings[^1];
            schedule.NextFiringAt = ExportCalendar.NextFiring(spec, schedule.LastBoundary);
        }

        if (created > 0)
        {
            // Another engine on the database may be the one with idle executors when the settle delay ends.
            await EngineNotifications.NotifyAsync(db, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
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
}
