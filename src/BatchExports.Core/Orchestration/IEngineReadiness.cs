namespace BatchExports.Core.Orchestration;

/// <summary>
/// What <c>/_readyz</c> asks an engine that runs outside this process (Temporal): whether it answers and whether
/// anything executes its work. The embedded engine registers none: it is this process.
/// </summary>
public interface IEngineReadiness
{
    Task<EngineReadinessReport> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>
/// <paramref name="Ready"/> is false when the engine does not answer or nobody polls its task queue;
/// <paramref name="Detail"/> says which, naming the address and queue.
/// </summary>
public sealed record EngineReadinessReport(bool Ready, string Engine, bool Reachable, int? Pollers, string Detail);
