using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using Microsoft.Extensions.Logging;
using Temporalio.Exceptions;
using Temporalio.Workflows;
using CalendarSpec = BatchExports.Core.Domain.ScheduleSpec;

namespace BatchExports.Worker.Workflows;

/// <summary>
/// <c>backfill-batch-export</c> (worker spec §3.5): get-or-create the backfill row, plan it, then walk its intervals
/// through the one calendar, running each interval's export workflow as a child, strictly one after another. A failed
/// child is logged and the walk goes on (a failed run does not fail the backfill). With no <c>end_at</c> it catches up
/// with now, then unpauses the export. Cancelling it cancels the running child and ends the backfill Cancelled.
/// </summary>
[Workflow(WorkflowNames.Backfill)]
public sealed class BackfillWorkflow
{
    private static readonly ActivityOptions Bookkeeping = new() { StartToCloseTimeout = TimeSpan.FromMinutes(5), RetryPolicy = RunRetry.Bookkeeping };

    [WorkflowRun]
    public async Task RunAsync(BackfillWorkflowInput input)
    {
        await Workflow.ExecuteActivityAsync((BackfillActivities a) => a.CreateBackfillAsync(input), Bookkeeping);
        var plan = await Workflow.ExecuteActivityAsync(
            (BackfillActivities a) => a.PlanAsync(input.BackfillId),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromMinutes(30), RetryPolicy = RunRetry.Bookkeeping });
        if (plan.Status != BackfillStatuses.Running || plan.Start is not { } start)
        {
            // Completed at once (no data), failed planning, or cancelled before it began.
            return;
        }

        var details = new BackfillDetails(input.BackfillId, input.StartAt, input.EndAt, IsEarliestBackfill: input.StartAt == null);
        var spec = new CalendarSpec(plan.Inputs.Interval, plan.Inputs.Timezone, plan.Inputs.IntervalOffset);
        try
        {
            for (var cursor = ExportCalendar.Floor(spec, start); ; )
            {
                var next = ExportCalendar.Next(spec, cursor);
                if (plan.EndAt == null && next > Workflow.UtcNow)
                {
                    await Workflow.ExecuteActivityAsync((BackfillActivities a) => a.UnpauseAsync(input.BatchExportId), Bookkeeping);
                    break;
                }

                if (plan.EndAt is { } end && next > end)
                {
                    break;
                }

                if (input.StartDelay > 0)
                {
                    await Workflow.DelayAsync(TimeSpan.FromSeconds(input.StartDelay));
                }

                await RunIntervalAsync(plan, details, next);
                cursor = next;
            }
        }
        catch (Exception exception) when (TemporalException.IsCanceledException(exception))
        {
            await FinishAsync(input.BackfillId, BackfillStatuses.Cancelled);
            throw;
        }
        catch (Exception)
        {
            await FinishAsync(input.BackfillId, BackfillStatuses.Failed);
            throw;
        }

        await FinishAsync(input.BackfillId, BackfillStatuses.Completed);
    }

    private static async Task RunIntervalAsync(BackfillPlan plan, BackfillDetails details, DateTimeOffset end)
    {
        try
        {
            await Workflow.ExecuteChildWorkflowAsync(
                plan.Workflow,
                [plan.Inputs with { DataIntervalEnd = end, BackfillDetails = details }],
                new ChildWorkflowOptions { Id = WorkflowIds.Run(plan.Inputs.BatchExportId, end), TaskQueue = Workflow.Info.TaskQueue });
        }
        catch (ChildWorkflowFailureException exception) when (!Workflow.CancellationToken.IsCancellationRequested)
        {
            Workflow.Logger.LogWarning(exception, "Backfill run for the interval ending {End} failed; continuing with the next interval", end);
        }
    }

    private static Task FinishAsync(Guid backfillId, string status) =>
        Workflow.ExecuteActivityAsync(
            (BackfillActivities a) => a.FinishBackfillAsync(new FinishBackfillInput(backfillId, status)),
            new ActivityOptions { StartToCloseTimeout = TimeSpan.FromMinutes(5), RetryPolicy = RunRetry.Bookkeeping, CancellationToken = CancellationToken.None });
}
