using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore.Query;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// An engine's hold on one run, as the lifecycle sees it: every status the lifecycle writes is written only while
/// the run is still the engine's (a cancel, or another process taking the run over, makes the write a no-op). The
/// embedded engine holds runs by lease; a Temporal activity holds its run while it is Running.
/// </summary>
public interface IRunOwnership
{
    /// <summary>The run, narrowed to "still mine to write".</summary>
    IQueryable<BatchExportRun> Owned(IQueryable<BatchExportRun> runs);

    /// <summary>What letting go of the run also writes (a finish, a retry, a hand-back): the embedded engine clears its lease.</summary>
    void Release(UpdateSettersBuilder<BatchExportRun> set);
}
