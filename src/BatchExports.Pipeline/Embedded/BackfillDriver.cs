using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Sources;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Drives backfills one interval at a time through the calendar, as PostHog's backfill workflow does: a Starting
/// backfill gets its earliest data and estimate and becomes Running; a Running one gets its next run once the
/// previous one has finished, and completes after the last. Each backfill row is locked while it moves.
/// </summary>
public sealed class BackfillDriver(
    IDbContextFactory<BatchExportsDbContext> contexts,
    ISourceStats sourceStats,
    ConfigCipher cipher,
    ExportLog log,
    TimeProvider clock)
{
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var backfills = await db.BatchExportBackfills
            .FromSql($"SELECT * FROM batch_export_backfills WHERE status IN ('Starting', 'Running') ORDER BY created_at FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        var messages = new List<(BatchExportBackfill Backfill, string Level, string Message)>();

        foreach (var backfill in backfills)
        {
            var export = await db.BatchExports.Include(e => e.Destination).SingleAsync(e => e.Id == backfill.BatchExportId, cancellationToken);
            var message = backfill.Status == BackfillStatuses.Starting
                ? await PlanAsync(backfill, export, cancellationToken)
                : await AdvanceAsync(db, backfill, export, cancellationToken);
            if (message != null)
            {
                messages.Add((backfill, LogLevels.Info, message));
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var (backfill, level, message) in messages)
        {
            await log.WriteAsync(backfill.TeamId, backfill.BatchExportId, null, level, message, cancellationToken);
        }
    }

    /// <summary>Starting → Running: find where the data begins and how much there is (PostHog's get_backfill_info).</summary>
    private async Task<string?> PlanAsync(BatchExportBackfill backfill, BatchExport export, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var spec = ScheduleSpec.Of(export);
        var end = backfill.EndAt ?? now;
        var config = cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);
        SourceStats stats;
        try
        {
            stats = await sourceStats.GetAsync(export, config, backfill.StartAt, end, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            if (backfill.StartAt == null)
            {
                backfill.Status = BackfillStatuses.Failed;
                backfill.FinishedAt = now;
                backfill.LastUpdatedAt = now;
                return $"Backfill {backfill.Id} failed: the earliest {export.Model} data could not be determined ({exception.Message}).";
            }

            // As PostHog: without an estimate the backfill still runs its intervals.
            stats = new SourceStats(null, null);
        }

        backfill.TotalRecordsCount = stats.Count;
        backfill.LastUpdatedAt = now;

        if (backfill.StartAt == null)
        {
            if (stats.Earliest == null)
            {
                Finish(backfill, now, 0);
                return $"Backfill {backfill.Id} completed at once: there is no {export.Model} data to export.";
            }

            backfill.AdjustedStartAt = ExportCalendar.Floor(spec, stats.Earliest.Value);
        }
        else if (stats.Earliest is { } earliest && ExportCalendar.Floor(spec, earliest) > ExportCalendar.Floor(spec, backfill.StartAt.Value))
        {
            // Nothing to export before the data begins: start there, and say so through adjusted_start_at.
            backfill.AdjustedStartAt = ExportCalendar.Floor(spec, earliest);
        }

        backfill.Status = BackfillStatuses.Running;
        var from = backfill.AdjustedStartAt ?? backfill.StartAt!.Value;
        return $"Backfill {backfill.Id} started: {ExportCalendar.CountIntervalsCovering(spec, from, end)} interval(s) from {WireJson.FormatDateTime(ExportCalendar.Floor(spec, from))} " +
            $"to {(backfill.EndAt is { } e ? WireJson.FormatDateTime(e) : "now")}, about {stats.Count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "an unknown number of"} record(s).";
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
        var spec = ScheduleSpec.Of(export);
        var from = backfill.LastIntervalEnd ?? ExportCalendar.Floor(spec, backfill.AdjustedStartAt ?? backfill.StartAt!.Value);
        var next = ExportCalendar.Next(spec, from);
        var end = backfill.EndAt ?? now;

        if (next > end)
        {
            var exported = await db.BatchExportRuns
                .Where(r => r.BackfillId == backfill.Id && r.Status == RunStatuses.Completed)
                .SumAsync(r => (long?)((r.RecordsCompleted ?? 0) + (r.RecordsFailed ?? 0)), cancellationToken) ?? 0;
            Finish(backfill, now, exported);
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

        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO batch_export_runs (id, batch_export_id, backfill_id, status, data_interval_start, data_interval_end,
                created_at, last_updated_at, attempt, next_attempt_at)
            VALUES ({Guid.CreateVersion7()}, {export.Id}, {backfill.Id}, 'Starting', {from}, {next}, {now}, {now}, 0, {now})
            ON CONFLICT DO NOTHING
            """, cancellationToken);
        backfill.LastIntervalEnd = next;
        backfill.LastUpdatedAt = now;
        return null;
    }

    private static void Finish(BatchExportBackfill backfill, DateTimeOffset now, long records)
    {
        backfill.Status = BackfillStatuses.Completed;
        backfill.FinishedAt = now;
        backfill.LastUpdatedAt = now;
        backfill.TotalRecordsCount = records;
    }
}
