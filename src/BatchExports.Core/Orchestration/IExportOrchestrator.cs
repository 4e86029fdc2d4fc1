using BatchExports.Core.Domain;

namespace BatchExports.Core.Orchestration;

/// <summary>
/// The one port between the control plane and an engine (embedded or Temporal). The services call it inside the
/// database transaction that changes the export (opened through <see cref="EngineTransaction"/>), so a failure here
/// leaves no half-written export; an engine that keeps state elsewhere undoes its own changes in
/// <see cref="UndoChangesAsync"/> when the transaction then fails.
/// </summary>
public interface IExportOrchestrator
{
    /// <summary>The export was created or changed (including pause and unpause): make its schedule follow the row.</summary>
    Task ExportSavedAsync(BatchExport export, CancellationToken cancellationToken);

    /// <summary>
    /// The user paused or unpaused the export (<see cref="BatchExport.Paused"/> says which). An engine that keeps the
    /// schedule elsewhere acts on that schedule alone, and fails when it is missing (PostHog's 400), rather than
    /// re-creating it as a save does.
    /// </summary>
    Task ExportPauseChangedAsync(BatchExport export, CancellationToken cancellationToken) => ExportSavedAsync(export, cancellationToken);

    /// <summary>The export was soft-deleted: remove its schedule and stop its running work.</summary>
    Task ExportDeletedAsync(BatchExport export, CancellationToken cancellationToken);

    /// <summary>A run was marked Cancelled; stop it if it is executing.</summary>
    Task RunCancelledAsync(BatchExportRun run, CancellationToken cancellationToken);

    /// <summary>A backfill was created: start driving it.</summary>
    Task BackfillCreatedAsync(BatchExportBackfill backfill, CancellationToken cancellationToken);

    /// <summary>A backfill was marked Cancelled (its active runs too); stop driving it.</summary>
    Task BackfillCancelledAsync(BatchExportBackfill backfill, CancellationToken cancellationToken);

    /// <summary>
    /// An on-demand export (a file download) was created with its run in Starting: start executing it. The embedded
    /// engine claims Starting runs by itself.
    /// </summary>
    Task OnDemandRunCreatedAsync(BatchExportRun run, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A database transaction that carries engine changes begins: an engine that keeps state elsewhere starts
    /// recording how to undo the changes it makes from here on (forgetting any earlier record). The embedded engine
    /// keeps its state in the same database, which the rollback undoes.
    /// </summary>
    void BeginChanges()
    {
    }

    /// <summary>
    /// The transaction begun with <see cref="BeginChanges"/> did not commit (a later step threw, or the commit itself
    /// did): undo the changes made since, newest first, after the rollback. Best effort; never throws. Cancellations
    /// are not undone (a cancelled workflow cannot be resumed); the run's own ending then catches up with the row.
    /// </summary>
    Task UndoChangesAsync() => Task.CompletedTask;
}
