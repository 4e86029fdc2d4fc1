using System.Collections.Concurrent;
using Temporalio.Worker.Interceptors;
using Temporalio.Workflows;

namespace BatchExports.Worker.Tests.Workflows;

/// <summary>
/// Records, during a replay, what the workflow code decided: each activity with its arguments, each child workflow
/// with its id and arguments, and how the run ended. Replay compares commands with the history by type and id only;
/// this is how a test sees the inputs too.
/// </summary>
public sealed class RecordingWorkflowInterceptor : IWorkerInterceptor
{
    public ConcurrentQueue<(string Activity, object? Input)> Activities { get; } = new();

    public ConcurrentQueue<(string Workflow, string? Id, object? Input)> Children { get; } = new();

    public object? Result { get; private set; }

    public Exception? Failure { get; private set; }

    public WorkflowInboundInterceptor InterceptWorkflow(WorkflowInboundInterceptor nextInterceptor) => new Inbound(this, nextInterceptor);

    private sealed class Inbound(RecordingWorkflowInterceptor owner, WorkflowInboundInterceptor next) : WorkflowInboundInterceptor(next)
    {
        public override void Init(WorkflowOutboundInterceptor outbound) => base.Init(new Outbound(owner, outbound));

        public override async Task<object?> ExecuteWorkflowAsync(ExecuteWorkflowInput input)
        {
            try
            {
                return owner.Result = await base.ExecuteWorkflowAsync(input);
            }
            catch (Exception exception)
            {
                owner.Failure = exception;
                throw;
            }
        }
    }

    private sealed class Outbound(RecordingWorkflowInterceptor owner, WorkflowOutboundInterceptor next) : WorkflowOutboundInterceptor(next)
    {
        public override Task<TResult> ScheduleActivityAsync<TResult>(ScheduleActivityInput input)
        {
            owner.Activities.Enqueue((input.Activity, input.Args.SingleOrDefault()));
            return base.ScheduleActivityAsync<TResult>(input);
        }

        public override Task<ChildWorkflowHandle<TWorkflow, TResult>> StartChildWorkflowAsync<TWorkflow, TResult>(StartChildWorkflowInput input)
        {
            owner.Children.Enqueue((input.Workflow, input.Options.Id, input.Args.SingleOrDefault()));
            return base.StartChildWorkflowAsync<TWorkflow, TResult>(input);
        }
    }
}
