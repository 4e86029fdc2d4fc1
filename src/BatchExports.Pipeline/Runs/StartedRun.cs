using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Runs;

/// <summary>A run <see cref="RunLifecycle.StartAsync"/> let through: what execute and finish need.</summary>
public sealed record StartedRun(BatchExportRun Run, BatchExport Export, IRunLog Log, IRunOwnership Ownership, RunRetryPolicy Policy);
