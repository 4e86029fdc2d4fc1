using BatchExports.Core.Domain;
using BatchExports.Core.Services.Logs;

namespace BatchExports.Pipeline.Runs;

/// <summary>A run's log lines, written to the export's log with the run as <c>instance_id</c>.</summary>
public sealed class RunLog(ExportLog log, BatchExportRun run, int teamId) : IRunLog
{
    public Task InfoAsync(string message, CancellationToken cancellationToken) =>
        log.WriteAsync(teamId, run.BatchExportId, run.Id, LogLevels.Info, message, cancellationToken);

    public Task WarningAsync(string message, CancellationToken cancellationToken) =>
        log.WriteAsync(teamId, run.BatchExportId, run.Id, LogLevels.Warning, message, cancellationToken);

    public Task ErrorAsync(string message, CancellationToken cancellationToken) =>
        log.WriteAsync(teamId, run.BatchExportId, run.Id, LogLevels.Error, message, cancellationToken);
}
