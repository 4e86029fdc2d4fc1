using BatchExports.Core.Hosting;

namespace BatchExports.Worker;

/// <summary>
/// The worker's database: <c>ConnectionStrings:BatchExports</c>, required — a worker joins an existing deployment and
/// never starts a private PostgreSQL of its own as the API may.
/// </summary>
public sealed class WorkerDatabase(IConfiguration configuration) : IDatabaseConnection
{
    public string ConnectionString { get; } = configuration.GetConnectionString("BatchExports") is { Length: > 0 } configured
        ? configured
        : throw new InvalidOperationException("ConnectionStrings:BatchExports is required: the worker uses the API's database.");
}
