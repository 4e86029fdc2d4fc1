using System.Globalization;
using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.Logs;
using BatchExports.Core.Services.Runs;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.FileDownloads;

/// <summary>File downloads once created (spec §5.8): list, retrieve, cancel, and which stored file a download serves.</summary>
public sealed class FileDownloadService(
    BatchExportsDbContext db,
    ExportLookup lookup,
    IExportOrchestrator orchestrator,
    ExportLog log,
    TimeProvider clock)
{
    public async Task<(int Count, IReadOnlyList<BatchExportRun> Results)> ListAsync(
        ExportScope scope, int limit, int offset, CancellationToken cancellationToken)
    {
        var runs = lookup.VisibleOnDemandRuns(scope).AsNoTracking();
        var count = await runs.CountAsync(cancellationToken);
        var page = await runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return (count, page);
    }

    public async Task<FileDownloadView> GetAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var run = await lookup.FindOnDemandRunAsync(scope, rawId, tracked: false, cancellationToken);
        if (run.Status != RunStatuses.Completed)
        {
            return new FileDownloadView(run, run.Status, null);
        }

        var files = await FilesOf(run).Select(f => f.Id).ToListAsync(cancellationToken);
        return files.Count == 0 && run.RecordsCompleted > 0
            ? new FileDownloadView(run, RunStatuses.Running, null)
            : new FileDownloadView(run, run.Status, files);
    }

    /// <summary>Cancels a Starting/Running download; returns the status it is left in.</summary>
    public async Task<string> CancelAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var run = await lookup.FindOnDemandRunAsync(scope, rawId, tracked: true, cancellationToken);
        if (!RunStatuses.IsActive(run.Status))
        {
            throw new ValidationException($"Cannot cancel a run that is in '{run.Status}' status");
        }

        // One transaction: an engine that cannot cancel the download's workflow leaves the download as it was.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            RunCancellation.MarkCancelled(run, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            await orchestrator.RunCancelledAsync(run, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var teamId = await db.BatchExportOnDemands.Where(o => o.Id == run.BatchExportOnDemandId).Select(o => o.TeamId).SingleAsync(cancellationToken);
        await log.WriteRunAsync(teamId, run, LogLevels.Warning, "The file download was cancelled by a user.", cancellationToken);
        return run.Status;
    }

    /// <summary>
    /// The file a download serves: by id, by zero-based index in key order, or the first by key; refused with
    /// PostHog's messages while the run is not Completed or once the file expired.
    /// </summary>
    public async Task<BatchExportFileDownload> FindFileAsync(ExportScope scope, string rawId, string? part, CancellationToken cancellationToken)
    {
        var run = await lookup.FindOnDemandRunAsync(scope, rawId, tracked: false, cancellationToken);
        switch (run.Status)
        {
            case RunStatuses.Running or RunStatuses.Starting:
                throw new ValidationException("Batch export run is still in progress");
            case RunStatuses.Cancelled:
                throw new ValidationException("Batch export run was cancelled");
            case not RunStatuses.Completed:
                throw new ValidationException("Batch export run has failed");
        }

        BatchExportFileDownload file;
        if (part != null && Guid.TryParse(part, out var fileId))
        {
            file = await FilesOf(run).SingleOrDefaultAsync(f => f.Id == fileId, cancellationToken) ?? throw new NotFoundException();
        }
        else
        {
            var index = 0;
            if (part != null && !int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index))
            {
                throw new ValidationException($"Invalid file id or index: '{part}'");
            }

            // Python list indexing, as PostHog's: a negative index counts from the end.
            var files = await FilesOf(run).ToListAsync(cancellationToken);
            var position = index < 0 ? files.Count + index : index;
            file = position >= 0 && position < files.Count ? files[position] : throw new NotFoundException($"No files with index {index}");
        }

        if ((file.ExpiresAt is { } expiresAt && expiresAt <= clock.GetUtcNow()) || file.RemovedAt != null)
        {
            throw new ValidationException("This file download has expired");
        }

        return file;
    }

    private IQueryable<BatchExportFileDownload> FilesOf(BatchExportRun run) =>
        db.BatchExportFileDownloads.AsNoTracking().Where(f => f.BatchExportRunId == run.Id).OrderBy(f => f.Key);
}
