using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Logs;

/// <summary>
/// Writes the user-visible log of an export and its runs (what <c>…/logs</c> serves). Entries are inserted at once,
/// outside whatever the caller's DbContext is tracking, so a log line survives a failure that rolls the rest back.
/// </summary>
public sealed class ExportLog(IDbContextFactory<BatchExportsDbContext> contexts, TimeProvider clock)
{
    public Task InfoAsync(int teamId, Guid exportId, Guid? runId, string message, CancellationToken cancellationToken) =>
        WriteAsync(teamId, exportId, runId, LogLevels.Info, message, cancellationToken);

    public Task WarningAsync(int teamId, Guid exportId, Guid? runId, string message, CancellationToken cancellationToken) =>
        WriteAsync(teamId, exportId, runId, LogLevels.Warning, message, cancellationToken);

    public Task ErrorAsync(int teamId, Guid exportId, Guid? runId, string message, CancellationToken cancellationToken) =>
        WriteAsync(teamId, exportId, runId, LogLevels.Error, message, cancellationToken);

    public Task WriteAsync(int teamId, Guid exportId, Guid? runId, string level, string message, CancellationToken cancellationToken) =>
        AddAsync(new BatchExportLogEntry { TeamId = teamId, BatchExportId = exportId }, runId, level, message, cancellationToken);

    /// <summary>A line of a run's log, under whichever parent the run has: its batch export or its on-demand export.</summary>
    public Task WriteRunAsync(int teamId, BatchExportRun run, string level, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return AddAsync(
            new BatchExportLogEntry { TeamId = teamId, BatchExportId = run.BatchExportId, BatchExportOnDemandId = run.BatchExportOnDemandId },
            run.Id, level, message, cancellationToken);
    }

    private async Task AddAsync(BatchExportLogEntry entry, Guid? runId, string level, string message, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.BatchExportLogEntries.Add(new BatchExportLogEntry
        {
            TeamId = entry.TeamId,
            BatchExportId = entry.BatchExportId,
            BatchExportOnDemandId = entry.BatchExportOnDemandId,
            InstanceId = runId?.ToString(),
            Level = level,
            Message = message,
            Timestamp = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
