using BatchExports.Core.Orchestration;
using Microsoft.Extensions.Options;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;
using TaskQueue = Temporalio.Api.TaskQueue.V1.TaskQueue;

namespace BatchExports.Temporal;

/// <summary>
/// Temporal's part of <c>/_readyz</c>: does Temporal answer, and does any worker poll the task queue
/// (DescribeTaskQueue)? Without a poller, scheduled runs would wait silently (PH#55167); here the probe says so.
/// </summary>
public sealed class TemporalReadiness(ITemporalClient client, IOptions<TemporalOptions> options) : IEngineReadiness
{
    public async Task<EngineReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var (address, queue) = (options.Value.Address, options.Value.TaskQueue);
        int pollers;
        try
        {
            pollers = await CountPollersAsync(client, options.Value.Namespace, queue, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new EngineReadinessReport(false, "temporal", false, null, $"Temporal at {address} is not reachable ({exception.GetType().Name}).");
        }

        return pollers == 0
            ? new EngineReadinessReport(false, "temporal", true, 0, $"Temporal at {address} answers, but no worker polls the task queue '{queue}'; start BatchExports.Worker.")
            : new EngineReadinessReport(true, "temporal", true, pollers, $"Temporal at {address} answers; {pollers} worker poller(s) on '{queue}'.");
    }

    public static async Task<int> CountPollersAsync(ITemporalClient client, string @namespace, string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var response = await client.WorkflowService.DescribeTaskQueueAsync(
            new DescribeTaskQueueRequest
            {
                Namespace = @namespace,
                TaskQueue = new TaskQueue { Name = queue },
                TaskQueueType = TaskQueueType.Workflow,
            },
            new RpcOptions { CancellationToken = cancellationToken, Timeout = TimeSpan.FromSeconds(5) });
        return response.Pollers.Count;
    }
}
