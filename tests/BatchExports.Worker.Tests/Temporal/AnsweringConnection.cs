using Temporalio.Client;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>A connection that never dials: its raw workflow service is <see cref="PollerCountingWorkflowService"/>.</summary>
public sealed class AnsweringConnection(PollerCountingWorkflowService workflowService) : ITemporalConnection
{
    public IReadOnlyCollection<KeyValuePair<string, string>> RpcMetadata { get; set; } = [];

    public IReadOnlyCollection<KeyValuePair<string, byte[]>> RpcBinaryMetadata { get; set; } = [];

    public string? ApiKey { get; set; }

    public WorkflowService WorkflowService => workflowService;

    public OperatorService OperatorService => throw new NotSupportedException();

    public CloudService CloudService => throw new NotSupportedException();

    public TestService TestService => throw new NotSupportedException();

    public TemporalConnectionOptions Options { get; } = new("127.0.0.1:1");

    public bool IsConnected => true;

    /// <summary>No native client: nothing here may reach the Rust core.</summary>
    public System.Runtime.InteropServices.SafeHandle? BridgeClient => null;

    public Task<bool> CheckHealthAsync(RpcService? service = null, RpcOptions? options = null) => Task.FromResult(true);

    public Task ConnectAsync() => Task.CompletedTask;
}
