using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore.Query;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// The embedded engine's hold on a claimed run: it is ours while we own its lease and it is Running. A cancel (the
/// status changes) or a takeover after the lease lapsed (the owner changes) ends it; the heartbeat and every write
/// of the lifecycle use this one predicate (the grouped final write says it in SQL: <see cref="RunFinalWriter"/>).
/// </summary>
public sealed class RunLease(Guid runId, string instanceId) : ILeaseOwnership
{
    public Guid RunId => runId;

    public string LeaseOwner => instanceId;

    public IQueryable<BatchExportRun> Owned(IQueryable<BatchExportRun> runs) =>
        runs.Where(r => r.Id == runId && r.LeaseOwner == instanceId && r.Status == RunStatuses.Running);

    /// <summary>The same predicate for many runs at once: the ones of <paramref name="runIds"/> still held by <paramref name="instanceId"/>.</summary>
    public static IQueryable<BatchExportRun> OwnedOf(IQueryable<BatchExportRun> runs, IReadOnlyCollection<Guid> runIds, string instanceId) =>
        runs.Where(r => runIds.Contains(r.Id) && r.LeaseOwner == instanceId && r.Status == RunStatuses.Running);

    public void Release(UpdateSettersBuilder<BatchExportRun> set)
    {
        ArgumentNullException.ThrowIfNull(set);
        set.SetProperty(r => r.LeaseOwner, (string?)null)
            .SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null);
    }
}
