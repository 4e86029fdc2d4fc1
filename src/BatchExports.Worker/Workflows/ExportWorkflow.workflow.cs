using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;
using CalendarSpec = BatchExports.Core.Domain.ScheduleSpec;

namespace BatchExports.Worker.Workflows;

/// <summary>
/// The export workflow, registered once per destination type under PostHog's names (<see cref="WorkflowNames.Exports"/>):
/// the destination is read from the run's export, so the steps are the same for all. The data interval ends at the
/// schedule's nominal time (<c>TemporalScheduledStartTime</c>, before jitter) or the backfill's input, and starts
/// where the one calendar says; then start the run row, execute it through the shared lifecycle, and end it.
/// </summary>
[Workflow]
public sealed class ExportWorkflow
{
    public static readonly SearchAttributeKey<DateTimeOffset> ScheduledStartTime = SearchAttributeKey.CreateDateTimeOffset("TemporalScheduledStartTime");

    [WorkflowRun]
    public async Task<RunResult> RunAsync(ExportWorkflowInput input)
    {
        var end = input.DataIntervalEnd
            ?? (Workflow.TypedSearchAttributes.TryGetValue(ScheduledStartTime, out var scheduled) ? scheduled : (DateTimeOffset?)null)
            ?? throw new ApplicationFailureException(
                "The workflow has neither a data_interval_end nor a TemporalScheduledStartTime; start it from its schedule or a backfill.", errorType: "TypeError", nonRetryable: true);
        var interval = ExportCalendar.IntervalEndingAt(new CalendarSpec(input.Interval, input.Timezone, input.IntervalOffset), end.ToUniversalTime());

        var start = new StartRunInput(input.TeamId, input.BatchExportId, interval.Start, interval.End, input.BackfillDetails?.BackfillId);
        var runId = await Workflow.ExecuteActivityAsync(
            (ExportActivities a) => a.StartRunAsync(start),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromMinutes(5), RetryPolicy = RunRetry.Bookkeeping });

        return await RunExecution.ExecuteAsync(runId, RunRetry.StartToClose(input.Interval));
    }
}
