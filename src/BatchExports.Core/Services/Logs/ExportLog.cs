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

    public async Task WriteAsync(int teamId, Guid exportId, Guid? runId, string level, string message, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.BatchExportLogEntries.Add(new BatchExportLogEntry
        {
            TeamId = teamId,
            BatchExportId = exportId,
            InstanceId = runId?.ToString(),
            Level = level,
            Message = message,
            Timestamp = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }
}
