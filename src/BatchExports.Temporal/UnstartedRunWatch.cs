using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using CalendarSpec = BatchExports.Core.Domain.ScheduleSpec;

namespace BatchExports.Temporal;

/// <summary>
/// Nobody is left guessing (PH#55167): while no worker polls the task queue, a scheduled interval whose run has not
/// started <see cref="TemporalOptions.UnstartedRunWarningAfter"/> after it was due (jitter included), and a backfill
/// or a file download still Starting that long after it was requested, get one warning in their export's (or the
/// download's) logs naming the queue.
/// </summary>
public sealed class UnstartedRunWatch(
    IDbContextFactory<BatchExportsDbContext> contexts,
    ITemporalClient client,
    ExportLog log,
    TimeProvider clock,
    IOptions<TemporalOptions> options,
    ILogger<UnstartedRunWatch> logger) : BackgroundService
{
    // What was warned about and is still unstarted; pruned to the current unstarted set on every check, so it holds at
    // most one entry per waiting export, backfill or download, however long the process runs.
    private readonly HashSet<(Guid, DateTimeOffset)> _warned = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.UnstartedRunCheckInterval, clock, stoppingToken);
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Check for runs no worker started failed; retrying");
            }
        }
    }

    /// <summary>Writes the warnings due now; returns how many.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        int pollers;
        try
        {
            pollers = await TemporalReadiness.CountPollersAsync(client, settings.Namespace, settings.TaskQueue, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Temporal itself is away: /_readyz says so; a run-level warning would blame the wrong thing.
            return 0;
        }

        if (pollers > 0)
        {
            _warned.Clear();
            return 0;
        }

        var now = clock.GetUtcNow();
        var warnings = new List<(int TeamId, Guid ExportId, DateTimeOffset Key, string Message)>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exports = await db.BatchExports.AsNoTracking().Where(e => !e.Deleted && !e.Paused).ToListAsync(cancellationToken);
        var due = new List<(BatchExport Export, DateTimeOffset End)>();
        foreach (var export in exports)
        {
            var end = ExportCalendar.Floor(CalendarSpec.Of(export), now - settings.UnstartedRunWarningAfter - ExportScheduleMapping.Jitter(export.Interval));
            if (end > export.CreatedAt && (export.StartAt is not { } start || end >= start) && (export.EndAt is not { } stop || end <= stop))
            {
                due.Add((export, end));
            }
        }

        // One query for every due interval's scheduled run, not one per export.
        var ids = due.Select(d => (Guid?)d.Export.Id).ToList();
        var ends = due.Select(d => d.End).Distinct().ToList();
        var started = (await db.BatchExportRuns.AsNoTracking()
                .Where(r => r.BackfillId == null && ids.Contains(r.BatchExportId) && ends.Contains(r.DataIntervalEnd))
                .Select(r => new { r.BatchExportId, r.DataIntervalEnd })
                .ToListAsync(cancellationToken))
            .Select(r => (r.BatchExportId, r.DataIntervalEnd))
            .ToHashSet();
        foreach (var (export, end) in due.Where(d => !started.Contains((d.Export.Id, d.End))))
        {
            warnings.Add((export.TeamId, export.Id, end,
                $"The run for the interval ending {Core.Json.WireJson.FormatDateTime(end)} has not started: no worker polls the task queue '{settings.TaskQueue}' on Temporal at {settings.Address}. Start BatchExports.Worker."));
        }

        var stuck = await db.BatchExportBackfills.AsNoTracking()
            .Where(b => b.Status == BackfillStatuses.Starting && b.CreatedAt < now - settings.UnstartedRunWarningAfter)
            .ToListAsync(cancellationToken);
        warnings.AddRange(stuck.Select(b => (b.TeamId, b.BatchExportId, b.CreatedAt,
            $"Backfill {b.Id} has not started: no worker polls the task queue '{settings.TaskQueue}' on Temporal at {settings.Address}. Start BatchExports.Worker.")));

        var downloads = await (
                from r in db.BatchExportRuns.AsNoTracking()
                join o in db.BatchExportOnDemands on r.BatchExportOnDemandId equals o.Id
                where r.Status == RunStatuses.Starting && !o.Deleted && r.CreatedAt < now - settings.UnstartedRunWarningAfter
                select new { Run = r, o.TeamId })
            .ToListAsync(cancellationToken);
        _warned.IntersectWith(downloads.Select(d => (d.Run.Id, d.Run.CreatedAt)).Concat(warnings.Select(w => (w.ExportId, w.Key))));
        var written = 0;
        foreach (var download in downloads.Where(d => _warned.Add((d.Run.Id, d.Run.CreatedAt))))
        {
            await log.WriteRunAsync(download.TeamId, download.Run, LogLevels.Warning,
                $"The file download has not started: no worker polls the task queue '{settings.TaskQueue}' on Temporal at {settings.Address}. Start BatchExports.Worker.",
                cancellationToken);
            written++;
        }

        foreach (var (teamId, exportId, key, message) in warnings)
        {
            if (_warned.Add((exportId, key)))
            {
                await log.WarningAsync(teamId, exportId, null, message, cancellationToken);
                written++;
            }
        }

        return written;
    }
}
