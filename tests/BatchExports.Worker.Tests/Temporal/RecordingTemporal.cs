using System.Collections.Concurrent;
using Temporalio.Client;
using Temporalio.Client.Interceptors;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// A client interceptor on a lazily connected client: it records every schedule and workflow call the adapter makes
/// and answers without a server (the client never connects). It keeps the schedules it was given, so a second save
/// finds "already exists", and a pause of an unknown one answers NOT_FOUND — as Temporal does.
/// </summary>
public sealed class RecordingTemporal : IClientInterceptor
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentDictionary<string, Schedule> Schedules { get; } = new();

    public ConcurrentDictionary<string, object?> StartedWorkflows { get; } = new();

    public ITemporalClient Client { get; }

    public RecordingTemporal() =>
        Client = TemporalClient.CreateLazy(new TemporalClientConnectOptions("127.0.0.1:1") { Interceptors = [this] });

    public ClientOutboundInterceptor InterceptClient(ClientOutboundInterceptor nextInterceptor) => new Outbound(this, nextInterceptor);

    private sealed class Outbound(RecordingTemporal owner, ClientOutboundInterceptor next) : ClientOutboundInterceptor(next)
    {
        public override Task<ScheduleHandle> CreateScheduleAsync(CreateScheduleInput input)
        {
            owner.Calls.Enqueue($"create {input.Id}");
            return owner.Schedules.TryAdd(input.Id, input.Schedule)
                ? Task.FromResult(new ScheduleHandle(owner.Client, input.Id))
                : throw new ScheduleAlreadyRunningException();
        }

        public override async Task UpdateScheduleAsync(UpdateScheduleInput input)
        {
            owner.Calls.Enqueue($"update {input.Id}");
            var current = owner.Schedules.TryGetValue(input.Id, out var s) ? s : throw NotFound();
            var update = await input.Updater(new ScheduleUpdateInput(new Description(input.Id, current)));
            owner.Schedules[input.Id] = update!.Schedule;
        }

        public override Task PauseScheduleAsync(PauseScheduleInput input) => SetPaused(input.Id, true, input.Note);

        public override Task UnpauseScheduleAsync(UnpauseScheduleInput input) => SetPaused(input.Id, false, input.Note);

        public override Task DeleteScheduleAsync(DeleteScheduleInput input)
        {
            owner.Calls.Enqueue($"delete {input.Id}");
            return owner.Schedules.TryRemove(input.Id, out _) ? Task.CompletedTask : throw NotFound();
        }

        public override Task<WorkflowHandle<TWorkflow, TResult>> StartWorkflowAsync<TWorkflow, TResult>(StartWorkflowInput input)
        {
            owner.Calls.Enqueue($"start {input.Workflow} {input.Options.Id} on {input.Options.TaskQueue}");
            owner.StartedWorkflows[input.Options.Id!] = input.Args.Single();
            return Task.FromResult(new WorkflowHandle<TWorkflow, TResult>(owner.Client, input.Options.Id!));
        }

        public override Task CancelWorkflowAsync(CancelWorkflowInput input)
        {
            owner.Calls.Enqueue($"cancel {input.Id}");
            return Task.CompletedTask;
        }

        public override Task TerminateWorkflowAsync(TerminateWorkflowInput input)
        {
            owner.Calls.Enqueue($"terminate {input.Id}");
            return Task.CompletedTask;
        }

        private Task SetPaused(string id, bool paused, string? note)
        {
            owner.Calls.Enqueue($"{(paused ? "pause" : "unpause")} {id}");
            var current = owner.Schedules.TryGetValue(id, out var s) ? s : throw NotFound();
            owner.Schedules[id] = current with { State = current.State with { Paused = paused, Note = note } };
            return Task.CompletedTask;
        }

        /// <summary>What Describe would have answered: the schedule as stored.</summary>
        private sealed class Description(string id, Schedule schedule)
            : ScheduleDescription(id, schedule, new Temporalio.Api.WorkflowService.V1.DescribeScheduleResponse { Info = new() { CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UnixEpoch), UpdateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UnixEpoch) }, Schedule = new() { State = new(), Policies = new(), Spec = new() } }, Temporalio.Converters.DataConverter.Default);

        private static RpcException NotFound() => new(RpcException.StatusCode.NotFound, "schedule not found", null);
    }
}
