using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// What <see cref="BackfillDriver.AdvanceAsync"/> did: whether the backfill moved (its next run created, or Completed),
/// and the next run when it was claimed for the caller, with its export (loaded by the step, so the caller need not).
/// </summary>
public sealed record BackfillAdvance(bool Moved, BatchExportRun? Claimed, BatchExport? Export);
