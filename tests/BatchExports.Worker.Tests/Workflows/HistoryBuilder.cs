using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Converters;

namespace BatchExports.Worker.Tests.Workflows;

/// <summary>
/// Builds a workflow history event by event, as the server would record it, for <c>WorkflowReplayer</c> (the
/// technique of temporal-dotnet.md §4 option b). Activity ids follow the SDK's per-kind sequence numbers; the first
/// workflow task carries Core's flags 1–3 so activity and child types and ids are checked on replay, not ignored.
/// </summary>
public sealed class HistoryBuilder
{
    private const string TaskQueue = "batch-exports-task-queue";

    private readonly List<HistoryEvent> _events = [];
    private readonly DateTimeOffset _now;
    private int _activities;
    private long _lastWorkflowTaskCompleted;

    public HistoryBuilder(string workflowType, object input, DateTimeOffset now, DateTimeOffset? scheduledStartTime = null)
    {
        _now = now;
        var started = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowType = new WorkflowType { Name = workflowType },
            TaskQueue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = TaskQueue },
            Input = new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(input) } },
            WorkflowRunTimeout = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
            OriginalExecutionRunId = Guid.NewGuid().ToString(),
            FirstExecutionRunId = Guid.NewGuid().ToString(),
            Attempt = 1,
        };
        if (scheduledStartTime is { } scheduled)
        {
            // As the server's scheduler adds it to every run it starts: the nominal time, before jitter.
            var payload = DataConverter.Default.PayloadConverter.ToPayload(scheduled.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            payload.Metadata["type"] = Google.Protobuf.ByteString.CopyFromUtf8("Datetime");
            started.SearchAttributes = new SearchAttributes { IndexedFields = { ["TemporalScheduledStartTime"] = payload } };
        }

        Add(EventType.WorkflowExecutionStarted, e => e.WorkflowExecutionStartedEventAttributes = started);
    }

    /// <summary>Scheduled, started and completed; returns the completed event's id, which the commands it produced cite.</summary>
    public HistoryBuilder WorkflowTask()
    {
        var scheduled = Add(EventType.WorkflowTaskScheduled, e => e.WorkflowTaskScheduledEventAttributes = new() { TaskQueue = new() { Name = TaskQueue }, StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)), Attempt = 1 });
        var started = Add(EventType.WorkflowTaskStarted, e => e.WorkflowTaskStartedEventAttributes = new() { ScheduledEventId = scheduled, Identity = "test" });
        var first = _lastWorkflowTaskCompleted == 0;
        _lastWorkflowTaskCompleted = Add(EventType.WorkflowTaskCompleted, e =>
        {
            e.WorkflowTaskCompletedEventAttributes = new() { ScheduledEventId = scheduled, StartedEventId = started, Identity = "test" };
            if (first)
            {
                e.WorkflowTaskCompletedEventAttributes.SdkMetadata = new() { CoreUsedFlags = { 1, 2, 3 } };
            }
        });
        return this;
    }

    /// <summary>The activity the last workflow task scheduled; returns its scheduled and started event ids.</summary>
    public (long Scheduled, long Started) ActivityStarted(string activityType)
    {
        var id = (++_activities).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var scheduled = Add(EventType.ActivityTaskScheduled, e => e.ActivityTaskScheduledEventAttributes = new()
        {
            ActivityId = id,
            ActivityType = new ActivityType { Name = activityType },
            TaskQueue = new() { Name = TaskQueue },
            WorkflowTaskCompletedEventId = _lastWorkflowTaskCompleted,
        });
        var started = Add(EventType.ActivityTaskStarted, e => e.ActivityTaskStartedEventAttributes = new() { ScheduledEventId = scheduled, Attempt = 1, Identity = "test" });
        return (scheduled, started);
    }

    public HistoryBuilder Activity(string activityType, object? result)
    {
        var (scheduled, started) = ActivityStarted(activityType);
        return ActivityCompleted(scheduled, started, result);
    }

    public HistoryBuilder ActivityCompleted(long scheduled, long started, object? result)
    {
        Add(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new()
        {
            ScheduledEventId = scheduled,
            StartedEventId = started,
            Result = result == null ? null : new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(result) } },
        });
        return WorkflowTask();
    }

    public HistoryBuilder CancelRequested()
    {
        Add(EventType.WorkflowExecutionCancelRequested, e => e.WorkflowExecutionCancelRequestedEventAttributes = new() { Cause = "test", Identity = "test" });
        return WorkflowTask();
    }

    /// <summary>The workflow asked the activity to stop (the last task's command), and it ended cancelled.</summary>
    public HistoryBuilder ActivityCancelled(long scheduled, long started)
    {
        var requested = Add(EventType.ActivityTaskCancelRequested, e => e.ActivityTaskCancelRequestedEventAttributes = new() { ScheduledEventId = scheduled, WorkflowTaskCompletedEventId = _lastWorkflowTaskCompleted });
        Add(EventType.ActivityTaskCanceled, e => e.ActivityTaskCanceledEventAttributes = new() { ScheduledEventId = scheduled, StartedEventId = started, LatestCancelRequestedEventId = requested, Identity = "test" });
        return WorkflowTask();
    }

    /// <summary>A child workflow the last task started, and how it ended (null: completed; else failed with that message).</summary>
    public HistoryBuilder Child(string workflowType, string workflowId, string? failure)
    {
        var initiated = Add(EventType.StartChildWorkflowExecutionInitiated, e => e.StartChildWorkflowExecutionInitiatedEventAttributes = new()
        {
            Namespace = "default",
            WorkflowId = workflowId,
            WorkflowType = new WorkflowType { Name = workflowType },
            TaskQueue = new() { Name = TaskQueue },
            WorkflowTaskCompletedEventId = _lastWorkflowTaskCompleted,
        });
        var execution = new WorkflowExecution { WorkflowId = workflowId, RunId = Guid.NewGuid().ToString() };
        var started = Add(EventType.ChildWorkflowExecutionStarted, e => e.ChildWorkflowExecutionStartedEventAttributes = new()
        {
            Namespace = "default", InitiatedEventId = initiated, WorkflowExecution = execution, WorkflowType = new WorkflowType { Name = workflowType },
        });
        WorkflowTask();
        if (failure == null)
        {
            Add(EventType.ChildWorkflowExecutionCompleted, e => e.ChildWorkflowExecutionCompletedEventAttributes = new()
            {
                Namespace = "default", InitiatedEventId = initiated, StartedEventId = started, WorkflowExecution = execution, WorkflowType = new WorkflowType { Name = workflowType },
            });
        }
        else
        {
            Add(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
            {
                Namespace = "default", InitiatedEventId = initiated, StartedEventId = started, WorkflowExecution = execution, WorkflowType = new WorkflowType { Name = workflowType },
                Failure = new Failure { Message = failure, ApplicationFailureInfo = new() { Type = "BatchExportFailedRetryable", NonRetryable = true } },
            });
        }

        return WorkflowTask();
    }

    public WorkflowHistory Completed(object? result)
    {
        Add(EventType.WorkflowExecutionCompleted, e => e.WorkflowExecutionCompletedEventAttributes = new()
        {
            WorkflowTaskCompletedEventId = _lastWorkflowTaskCompleted,
            Result = result == null ? null : new Payloads { Payloads_ = { DataConverter.Default.PayloadConverter.ToPayload(result) } },
        });
        return Build();
    }

    public WorkflowHistory Failed(string message)
    {
        Add(EventType.WorkflowExecutionFailed, e => e.WorkflowExecutionFailedEventAttributes = new()
        {
            WorkflowTaskCompletedEventId = _lastWorkflowTaskCompleted,
            Failure = new Failure { Message = message, ApplicationFailureInfo = new() { Type = "BatchExportFailedRetryable", NonRetryable = true } },
        });
        return Build();
    }

    public WorkflowHistory Cancelled()
    {
        Add(EventType.WorkflowExecutionCanceled, e => e.WorkflowExecutionCanceledEventAttributes = new() { WorkflowTaskCompletedEventId = _lastWorkflowTaskCompleted });
        return Build();
    }

    private WorkflowHistory Build() => new("replayed-workflow", _events.ToList());

    private long Add(EventType type, Action<HistoryEvent> set)
    {
        var e = new HistoryEvent { EventId = _events.Count + 1, EventType = type, EventTime = Timestamp.FromDateTimeOffset(_now) };
        set(e);
        _events.Add(e);
        return e.EventId;
    }
}
