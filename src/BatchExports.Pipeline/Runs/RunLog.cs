using BatchExports.Core.Domain;
using BatchExports.Core.Services.Logs;

namespace BatchExports.Pipeline.Runs;

/// <summary>A run's log lines, written to its (scheduled or on-demand) export's log with the run as <c>instance_id</c>.</summary>
public sealed class RunLog(RunLogWriter log, BatchExportRun run, int teamId) : IRunLog
{
    public Task InfoAsync(string message, CancellationToken cancellationToken) =>
        log.WriteRunAsync(teamId, run, LogLevels.Info, message, cancellationToken);

    public Task WarningAsync(string message, CancellationToken cancellationToken) =>
        log.WriteRunAsync(teamId, run, LogLevels.Warning, message, cancellationToken);

    public Task ErrorAsync(string message, CancellationToken cancellationToken) =>
        log.WriteRunAsync(teamId, run, LogLevels.Error, message, cancellationToken);
}
