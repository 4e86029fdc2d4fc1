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
        AddAsync(new BatchExportLogEntry
        {
            TeamId = teamId,
            BatchExportId = exportId,
            InstanceId = runId?.ToString(),
            Level = level,
            Message = message,
            Timestamp = clock.GetUtcNow(),
        }, cancellationToken);

    /// <summary>A line of a run's log, under whichever parent the run has: its batch export or its on-demand export.</summary>
    public Task WriteRunAsync(int teamId, BatchExportRun run, string level, string message, CancellationToken cancellationToken) =>
        AddAsync(RunEntry(teamId, run, level, message, clock.GetUtcNow()), cancellationToken);

    /// <summary>The entry of a run's log line (the run as <c>instance_id</c>); also what the engine's grouped run log writes.</summary>
    public static BatchExportLogEntry RunEntry(int teamId, BatchExportRun run, string level, string message, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new BatchExportLogEntry
        {
            TeamId = teamId,
            BatchExportId = run.BatchExportId,
            BatchExportOnDemandId = run.BatchExportOnDemandId,
            InstanceId = run.Id.ToString(),
            Level = level,
            Message = message,
            Timestamp = timestamp,
        };
    }

    private async Task AddAsync(BatchExportLogEntry entry, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.BatchExportLogEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}
