using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using Temporalio.Workflows;

namespace BatchExports.Worker.Workflows;

/// <summary>
/// <c>file-download-export</c>: the API created the on-demand export and its run in Starting before it started this
/// workflow (api spec §5.8), so there is no run to start; the run is executed like a scheduled one, through the same
/// activities, lifecycle and pipeline (whose FileDownload destination writes the files and their rows).
/// </summary>
[Workflow(WorkflowNames.FileDownload)]
public sealed class FileDownloadWorkflow
{
    /// <summary>A download covers at most seven days (api spec §5.8); give it as long as a weekly export.</summary>
    public static readonly TimeSpan StartToClose = RunRetry.StartToClose(Core.Domain.Intervals.Week);

    [WorkflowRun]
    public Task<RunResult> RunAsync(FileDownloadWorkflowInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunExecution.ExecuteAsync(input.RunId, StartToClose);
    }
}
