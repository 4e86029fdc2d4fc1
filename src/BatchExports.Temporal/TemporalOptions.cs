using System.ComponentModel.DataAnnotations;

namespace BatchExports.Temporal;

/// <summary>
/// The <c>Temporal</c> section, shared by the API (the control plane) and every worker: where Temporal is, which
/// namespace and task queue, and how to authenticate (TLS client certificate and/or API key, for Temporal Cloud).
/// </summary>
public sealed class TemporalOptions
{
    public const string SectionName = "Temporal";

    /// <summary>PostHog's queue name, so PostHog's tooling and ours agree on where export work waits.</summary>
    public const string DefaultTaskQueue = "batch-exports-task-queue";

    /// <summary><c>host:port</c> of the Temporal frontend.</summary>
    [Required]
    public string Address { get; set; } = "localhost:7233";

    [Required]
    public string Namespace { get; set; } = "default";

    [Required]
    public string TaskQueue { get; set; } = DefaultTaskQueue;

    /// <summary>A Temporal Cloud API key; sent as a bearer token and turns TLS on. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Use TLS even without an API key or client certificate (a server with a public certificate).</summary>
    public bool Tls { get; set; }

    /// <summary>PEM files of a client certificate and its key, for mTLS (Temporal Cloud's other way in).</summary>
    public string? TlsClientCertPath { get; set; }

    public string? TlsClientKeyPath { get; set; }

    /// <summary>PEM of a private CA that signed the server's certificate.</summary>
    public string? TlsServerCaPath { get; set; }

    /// <summary>Overrides the server name checked against the certificate.</summary>
    public string? TlsDomain { get; set; }

    /// <summary>
    /// A scheduled interval whose run has not started this long after the schedule fired gets a warning in its
    /// export's logs naming the task queue nobody polls (PostHog leaves such runs hanging silently: PH#55167).
    /// </summary>
    public TimeSpan UnstartedRunWarningAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the API checks for such runs.</summary>
    public TimeSpan UnstartedRunCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a worker lets running activities finish on shutdown before cancelling them.</summary>
    public TimeSpan GracefulShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Heartbeat timeout of the export activity: a worker silent this long is presumed gone and the attempt retried elsewhere.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
