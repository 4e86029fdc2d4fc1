using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Worker.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace BatchExports.Worker.Tests.Workflows;

/// <summary>
/// The export workflow replayed, in process and without a server, against hand-built histories: a scheduled run reads
/// its interval from <c>TemporalScheduledStartTime</c> through the one calendar and runs start → execute; a cancel
/// while executing waits for the activity, ends the run Cancelled and cancels the workflow. Any difference between
/// the workflow's commands and the history (activity type, id, order) fails the replay.
/// </summary>
public sealed class ExportWorkflowReplayTests
{
    private static readonly Guid ExportId = Guid.Parse("0190f3a4-0000-7000-8000-000000000001");
    private static readonly Guid RunId = Guid.Parse("0190f3a4-0000-7000-8000-0000000000aa");
    private static readonly DateTimeOffset Scheduled = new(2024, 1, 2, 3, 0, 0, TimeSpan.Zero);

    private static readonly ExportWorkflowInput Input = new(ExportId, 7, Intervals.Hour, "UTC", null, new ExportModelInput("events"));

    private static async Task<RecordingWorkflowInterceptor> ReplayAsync(WorkflowHistory history)
    {
        var recorder = new RecordingWorkflowInterceptor();
        var options = new WorkflowReplayerOptions { Interceptors = [recorder] };
        foreach (var definition in WorkerHost.ExportWorkflowDefinitions())
        {
            options.Workflows.Add(definition);
        }

        await new WorkflowReplayer(options).ReplayWorkflowAsync(history);
        return recorder;
    }

    [Fact]
    public async Task AScheduledRun_StartsTheRunForTheIntervalEndingAtItsNominalTime_ThenExecutesIt()
    {
        var result = new RunResult(RunStatuses.Completed, 42, null);
        var history = new HistoryBuilder("s3-export", Input, Scheduled.AddSeconds(17), scheduledStartTime: Scheduled)
            .WorkflowTask()
            .Activity("start_batch_export_run", RunId)
            .Activity("insert_into_destination_activity", result)
            .Completed(result);

        var recorder = await ReplayAsync(history);

        Assert.Equal(["start_batch_export_run", "insert_into_destination_activity"], recorder.Activities.Select(a => a.Activity).ToArray());
        Assert.Equal(new StartRunInput(7, ExportId, Scheduled.AddHours(-1), Scheduled, null), recorder.Activities.First().Input);
        Assert.Equal(new ExecuteRunInput(RunId), recorder.Activities.Last().Input);
        Assert.Equal(result, recorder.Result);
    }

    [Fact]
    public async Task ADailyRunInATimeZone_GetsItsDayThroughTheOneCalendar()
    {
        var berlin = Input with { Interval = Intervals.Day, Timezone = "Europe/Berlin", IntervalOffset = 3600 };
        // 01:00 Berlin on 2024-01-02 is 00:00 UTC.
        var end = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        var history = new HistoryBuilder("postgres-export", berlin, end.AddMinutes(1), scheduledStartTime: end)
            .WorkflowTask()
            .Activity("start_batch_export_run", RunId)
            .Activity("insert_into_destination_activity", new RunResult(RunStatuses.Completed, 0, null))
            .Completed(null);

        var recorder = await ReplayAsync(history);

        Assert.Equal(new StartRunInput(7, ExportId, end.AddDays(-1), end, null), recorder.Activities.First().Input);
    }

    [Fact]
    public async Task AHistoryWithADifferentActivity_FailsTheReplay()
    {
        var history = new HistoryBuilder("s3-export", Input, Scheduled, scheduledStartTime: Scheduled)
            .WorkflowTask()
            .Activity("finish_batch_export_run", RunId)
            .Completed(null);

        await Assert.ThrowsAsync<WorkflowNondeterminismException>(() => ReplayAsync(history));
    }

    [Fact]
    public async Task Cancelled_WhileExecuting_WaitsForTheActivity_EndsTheRunCancelled_AndCancelsTheWorkflow()
    {
        var builder = new HistoryBuilder("s3-export", Input, Scheduled, scheduledStartTime: Scheduled)
            .WorkflowTask()
            .Activity("start_batch_export_run", RunId);
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
    public async Task ARunThatEndedFailedRetryable_FailsTheWorkflow_AsPostHogShowsIt()
    {
        var failed = new RunResult(RunStatuses.FailedRetryable, null, "TimeoutException: the server did not answer");
        var history = new HistoryBuilder("http-export", Input with { DataIntervalEnd = Scheduled }, Scheduled)
            .WorkflowTask()
            .Activity("start_batch_export_run", RunId)
            .Activity("insert_into_destination_activity", failed)
            .Failed(failed.LatestError!);

        var recorder = await ReplayAsync(history);

        var failure = Assert.IsType<ApplicationFailureException>(recorder.Failure);
        Assert.Equal(("BatchExportFailedRetryable", true), (failure.ErrorType, failure.NonRetryable));
        Assert.Equal(failed.LatestError, failure.Message);
    }
}
