using System.Globalization;
using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Core.Security;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Backfill planning, for every engine: where a backfill starts (its earliest data, said through
/// <c>adjusted_start_at</c>), how many records it will export, and which interval comes next — all from the one
/// calendar, so a backfill never disagrees with the schedule. It changes the backfill row; saving it is the caller's.
/// </summary>
public sealed class BackfillPlanner(ISource source, ConfigCipher cipher, TimeProvider clock)
{
    /// <summary>
    /// Starting → Running (or Completed when its range holds no data, Failed when the earliest data cannot be found for a
    /// backfill from the beginning): PostHog's get_backfill_info. Returns the line for the export's log.
    /// </summary>
    public async Task<string> PlanAsync(BatchExportBackfill backfill, BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        ArgumentNullException.ThrowIfNull(export);
        var now = clock.GetUtcNow();
        var spec = ScheduleSpec.Of(export);
        var end = backfill.EndAt ?? now;
        var config = cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);
        SourceStats stats;
        try
        {
            stats = await source.GetStatsAsync(ExportSelection.Of(export, config), backfill.StartAt, end, cancellationToken);
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

        // As PostHog (worker spec §3.5 step 3): an estimate of zero ends the backfill here, with no runs; a range that
        // has data runs every interval, empty ones included.
        if (stats.Count == 0 || (backfill.StartAt == null && stats.Earliest == null))
        {
            Complete(backfill, now, 0);
            return $"Backfill {backfill.Id} completed at once: there is no {export.Model} data to export in its range.";
        }

        if (backfill.StartAt == null)
        {
            backfill.AdjustedStartAt = ExportCalendar.Floor(spec, stats.Earliest!.Value);
        }
        else if (stats.Earliest is { } earliest && ExportCalendar.Floor(spec, earliest) > ExportCalendar.Floor(spec, backfill.StartAt.Value))
        {
            // Nothing to export before the data begins: start there, and say so through adjusted_start_at.
            backfill.AdjustedStartAt = ExportCalendar.Floor(spec, earliest);
        }

        backfill.Status = BackfillStatuses.Running;
        var from = backfill.AdjustedStartAt ?? backfill.StartAt!.Value;
        return $"Backfill {backfill.Id} started: {ExportCalendar.CountIntervalsCovering(spec, from, end)} interval(s) from {WireJson.FormatDateTime(ExportCalendar.Floor(spec, from))} " +
            $"to {(backfill.EndAt is { } e ? WireJson.FormatDateTime(e) : "now")}, about {stats.Count?.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of"} record(s).";
    }

    /// <summary>The interval after the last one the backfill ran, or null when it would pass the backfill's end (then it is done).</summary>
    public static DataInterval? NextInterval(BatchExportBackfill backfill, BatchExport export, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        ArgumentNullException.ThrowIfNull(export);
        var spec = ScheduleSpec.Of(export);
        var from = backfill.LastIntervalEnd ?? ExportCalendar.Floor(spec, backfill.AdjustedStartAt ?? backfill.StartAt!.Value);
        var next = ExportCalendar.Next(spec, from);
        return next > (backfill.EndAt ?? now) ? null : new DataInterval(from, next);
    }

    public static void Complete(BatchExportBackfill backfill, DateTimeOffset now, long records)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        backfill.Status = BackfillStatuses.Completed;
        backfill.FinishedAt = now;
        backfill.LastUpdatedAt = now;
        backfill.TotalRecordsCount = records;
    }
}
