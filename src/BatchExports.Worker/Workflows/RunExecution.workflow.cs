using BatchExports.Core.Domain;
using BatchExports.Worker.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace BatchExports.Worker.Workflows;

/// <summary>
/// The workflow steps after a run row exists, shared by the export and file-download workflows: execute it through
/// the shared lifecycle (heartbeating, retried by Temporal), and end it when the activity cannot — cancelled, or out
/// of attempts. Runs inside a workflow only.
/// </summary>
public static class RunExecution
{
    public static async Task<RunResult> ExecuteAsync(Guid runId, TimeSpan startToClose)
    {
        RunResult result;
        try
        {
            result = await Workflow.ExecuteActivityAsync(
                (ExportActivities a) => a.ExecuteRunAsync(new ExecuteRunInput(runId)),
                new ActivityOptions
                {
                    StartToCloseTimeout = startToClose,
                    HeartbeatTimeout = TimeSpan.FromSeconds(30),
                    RetryPolicy = RunRetry.Temporal,
                    // Wait for the activity to write its own ending before this workflow ends.
                    CancellationType = ActivityCancellationType.WaitCancellationCompleted,
                });
        }
        catch (Exception exception) when (TemporalException.IsCanceledException(exception))
        {
            // Cleanup must run although the workflow is cancelled: a token of its own.
            await FinishAsync(runId, RunStatuses.Cancelled, null);
            throw;
        }
        catch (ActivityFailureException exception)
        {
            // Attempts ran out without the lifecycle recording an end (e.g. each worker died mid-run).
            await FinishAsync(runId, RunStatuses.FailedRetryable, exception.InnerException?.Message ?? exception.Message);
            throw new ApplicationFailureException($"The export failed after {RunRetry.Policy.MaxAttempts} attempts.", exception, errorType: "BatchExportFailedRetryable", nonRetryable: true);
        }

        if (result.Status == RunStatuses.FailedRetryable)
        {
            // As PostHog: the workflow fails, so Temporal shows it (a Failed user error completes it).
            throw new ApplicationFailureException(result.LatestError ?? "The export failed with an error that can be retried.", errorType: "BatchExportFailedRetryable", nonRetryable: true);
        }

        return result;
    }

    private static Task FinishAsync(Guid runId, string status, string? error) =>
        Workflow.ExecuteActivityAsync(
            (ExportActivities a) => a.FinishRunAsync(new FinishRunInput(runId, status, error)),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromMinutes(5), RetryPolicy = RunRetry.Bookkeeping, CancellationToken = CancellationToken.None });
}
