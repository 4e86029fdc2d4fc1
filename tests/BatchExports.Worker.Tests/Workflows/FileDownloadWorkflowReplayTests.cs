using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using BatchExports.Worker.Workflows;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace BatchExports.Worker.Tests.Workflows;

/// <summary>
/// <c>file-download-export</c> replayed against hand-built histories: the API created the run, so the workflow goes
/// straight to executing it (no start activity), and a cancel while executing ends the run Cancelled as for a
/// scheduled export.
/// </summary>
public sealed class FileDownloadWorkflowReplayTests
{
    private static readonly Guid OnDemandId = Guid.Parse("0190f3a4-0000-7000-8000-0000000000d1");
    private static readonly Guid RunId = Guid.Parse("0190f3a4-0000-7000-8000-0000000000d2");
    private static readonly DateTimeOffset Start = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

    private static readonly FileDownloadWorkflowInput Input = new(7, OnDemandId, RunId, Start, Start.AddDays(1));

    private static async Task<RecordingWorkflowInterceptor> ReplayAsync(WorkflowHistory history)
    {
        var recorder = new RecordingWorkflowInterceptor();
        await new WorkflowReplayer(new WorkflowReplayerOptions { Interceptors = [recorder] }.AddWorkflow<FileDownloadWorkflow>()).ReplayWorkflowAsync(history);
        return recorder;
    }

    [Fact]
    public async Task ADownload_ExecutesTheRunTheApiCreated_AndReturnsItsResult()
    {
        var result = new RunResult(RunStatuses.Completed, 25, null);
        var history = new HistoryBuilder(WorkflowNames.FileDownload, Input, Start.AddDays(2))
            .WorkflowTask()
            .Activity("insert_into_destination_activity", result)
            .Completed(result);

        var recorder = await ReplayAsync(history);

        Assert.Equal(new ExecuteRunInput(RunId), Assert.Single(recorder.Activities).Input);
        Assert.Equal(result, recorder.Result);
    }

    [Fact]
    public async Task Cancelled_WhileExecuting_EndsTheRunCancelled_AndCancelsTheWorkflow()
    {
        var builder = new HistoryBuilder(WorkflowNames.FileDownload, Input, Start.AddDays(2)).WorkflowTask();
        var (scheduled, started) = builder.ActivityStarted("insert_into_destination_activity");
        var history = builder
            .CancelRequested()
            .ActivityCancelled(scheduled, started)
            .Activity("finish_batch_export_run", null)
            .Cancelled();

        var recorder = await ReplayAsync(history);

        Assert.Equal(new FinishRunInput(RunId, RunStatuses.Cancelled, null), recorder.Activities.Last().Input);
        Assert.True(TemporalException.IsCanceledException(recorder.Failure!));
    }

    [Fact]
    public async Task AHistoryThatStartsARunFirst_FailsTheReplay()
    {
        var history = new HistoryBuilder(WorkflowNames.FileDownload, Input, Start.AddDays(2))
            .WorkflowTask()
            .Activity("start_batch_export_run", RunId)
            .Completed(null);

        await Assert.ThrowsAsync<WorkflowNondeterminismException>(() => ReplayAsync(history));
    }
}
