using Google.Protobuf;
using Temporalio.Api.WorkflowService.V1;
using Temporalio.Client;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// Temporal's raw workflow service as the readiness probe and the unstarted-run watch call it (DescribeTaskQueue),
/// answering with <see cref="Pollers"/> pollers and no server; any other RPC is a test error.
/// </summary>
public sealed class PollerCountingWorkflowService : WorkflowService
{
    public int Pollers { get; set; }

    public int Calls { get; private set; }

    protected override Task<T> InvokeRpcAsync<T>(string rpc, IMessage req, MessageParser<T> resp, RpcOptions? options = null)
    {
        if (rpc != "DescribeTaskQueue")
        {
            throw new InvalidOperationException($"Unexpected RPC {rpc}.");
        }

        Calls++;
        var response = new DescribeTaskQueueResponse();
        for (var i = 0; i < Pollers; i++)
        {
            response.Pollers.Add(new Temporalio.Api.TaskQueue.V1.PollerInfo { Identity = $"worker-{i}" });
        }

        return Task.FromResult(resp.ParseFrom(response.ToByteArray()));
    }
}
