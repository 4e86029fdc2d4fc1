using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore.Query;

namespace BatchExports.Worker.Activities;

/// <summary>
/// A Temporal activity's hold on its run: the run is its own while it is Running. Temporal guarantees one attempt
/// at a time, so no lease is needed; a cancel (the status changes) still makes every later write a no-op.
/// </summary>
public sealed class TemporalRunOwnership(Guid runId) : IRunOwnership
{
    public IQueryable<BatchExportRun> Owned(IQueryable<BatchExportRun> runs) =>
        runs.Where(r => r.Id == runId && r.Status == RunStatuses.Running);

    public void Release(UpdateSettersBuilder<BatchExportRun> set)
    {
        // Nothing is held beyond the status the lifecycle writes.
    }
}
