using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using BatchExports.Worker.Workflows;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace BatchExports.Worker.Tests.Workflows;

/// <summary>
/// The backfill workflow replayed against hand-built histories: it walks the planned intervals one child at a time
/// (each child's id and interval end from the one calendar), goes on past a failed child and ends Completed; with no
/// end it catches up with the workflow's now, then unpauses the export before finishing.
/// </summary>
public sealed class BackfillWorkflowReplayTests
{
    private static readonly Guid ExportId = Guid.Parse("0190f3a4-0000-7000-8000-000000000002");
    private static readonly Guid BackfillId = Guid.Parse("0190f3a4-0000-7000-8000-0000000000bb");
    private static readonly DateTimeOffset Start = new(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ExportWorkflowInput Inputs = new(ExportId, 7, Intervals.Hour, "UTC", null, new ExportModelInput("events"));

    private static async Task<RecordingWorkflowInterceptor> ReplayAsync(WorkflowHistory history)
    {
        var recorder = new RecordingWorkflowInterceptor();
        await new WorkflowReplayer(new WorkflowReplayerOptions { Interceptors = [recorder] }.AddWorkflow<BackfillWorkflow>()).ReplayWorkflowAsync(history);
        return recorder;
    }

    [Fact]
    public async Task AFailedChild_IsPassedOver_TheNextIntervalRuns_AndTheBackfillCompletes()
    {
        var input = new BackfillWorkflowInput(7, ExportId, Start, Start.AddHours(2), BackfillId, StartDelay: 0);
        var plan = new BackfillPlan(BackfillStatuses.Running, Start, Start.AddHours(2), "s3-export", Inputs);
        var history = new HistoryBuilder(WorkflowNames.Backfill, input, Start.AddDays(30))
            .WorkflowTask()
            .Activity("create_batch_export_backfill_model", null)
            .Activity("get_backfill_info", plan)
            .Child("s3-export", WorkflowIds.Run(ExportId, Start.AddHours(1)), failure: "The export failed after 3 attempts.")
            .Child("s3-export", WorkflowIds.Run(ExportId, Start.AddHours(2)), failure: null)
            .Activity("update_batch_export_backfill_model", null)
            .Completed(null);

        var recorder = await ReplayAsync(history);

        var children = recorder.Children.ToList();
        Assert.Equal([Start.AddHours(1), Start.AddHours(2)], children.Select(c => ((ExportWorkflowInput)c.Input!).DataIntervalEnd).ToArray());
        Assert.All(children, c => Assert.Equal(
            new BackfillDetails(BackfillId, Start, Start.AddHours(2), IsEarliestBackfill: false), ((ExportWorkflowInput)c.Input!).BackfillDetails));
        Assert.Equal(new FinishBackfillInput(BackfillId, BackfillStatuses.Completed), recorder.Activities.Last().Input);
        Assert.Null(recorder.Failure);
    }

    [Fact]
    public async Task WithNoEnd_CatchesUpWithNow_ThenUnpausesTheExport_ThenCompletes()
    {
        var input = new BackfillWorkflowInput(7, ExportId, Start, null, BackfillId, StartDelay: 0);
        var plan = new BackfillPlan(BackfillStatuses.Running, Start, null, "no-op", Inputs);
        // The workflow's now (its tasks' time) is 02:30: two whole hours are behind it, the third is not over.
        var history = new HistoryBuilder(WorkflowNames.Backfill, input, Start.AddMinutes(150))
            .WorkflowTask()
            .Activity("create_batch_export_backfill_model", null)
            .Activity("get_backfill_info", plan)
            .Child("no-op", WorkflowIds.Run(ExportId, Start.AddHours(1)), failure: null)
            .Child("no-op", WorkflowIds.Run(ExportId, Start.AddHours(2)), failure: null)
            .Activity("unpause_batch_export", null)
            .Activity("update_batch_export_backfill_model", null)
            .Completed(null);

        var recorder = await ReplayAsync(history);

        Assert.Equal(
            ["create_batch_export_backfill_model", "get_backfill_info", "unpause_batch_export", "update_batch_export_backfill_model"],
            recorder.Activities.Select(a => a.Activity).ToArray());
        Assert.Equal(ExportId, recorder.Activities.ElementAt(2).Input);
        Assert.Equal(2, recorder.Children.Count);
        Assert.True(((ExportWorkflowInput)recorder.Children.First().Input!).BackfillDetails!.IsEarliestBackfill is false);
    }

    [Fact]
    public async Task APlanThatCompletedAtOnce_RunsNoChild()
    {
        var input = new BackfillWorkflowInput(7, ExportId, Start, Start.AddHours(2), BackfillId, StartDelay: 0);
        var history = new HistoryBuilder(WorkflowNames.Backfill, input, Start.AddDays(1))
            .WorkflowTask()
            .Activity("create_batch_export_backfill_model", null)
            .Activity("get_backfill_info", new BackfillPlan(BackfillStatuses.Completed, Start, Start.AddHours(2), "s3-export", Inputs))
            .Completed(null);

        var recorder = await ReplayAsync(history);

        Assert.Empty(recorder.Children);
    }

    [Fact]
    public async Task AHistoryMissingAnInterval_FailsTheReplay()
    {
        var input = new BackfillWorkflowInput(7, ExportId, Start, Start.AddHours(2), BackfillId, StartDelay: 0);
        var history = new HistoryBuilder(WorkflowNames.Backfill, input, Start.AddDays(30))
            .WorkflowTask()
            .Activity("create_batch_export_backfill_model", null)
            .Activity("get_backfill_info", new BackfillPlan(BackfillStatuses.Running, Start, Start.AddHours(2), "s3-export", Inputs))
            .Child("s3-export", WorkflowIds.Run(ExportId, Start.AddHours(2)), failure: null)
            .Activity("update_batch_export_backfill_model", null)
            .Completed(null);

        await Assert.ThrowsAsync<WorkflowNondeterminismException>(() => ReplayAsync(history));
    }
}
