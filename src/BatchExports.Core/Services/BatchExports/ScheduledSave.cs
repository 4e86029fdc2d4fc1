using BatchExports.Core.Domain;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// The one way a changed export is saved: the row and the engine's schedule in one transaction, so a schedule the
/// engine refuses leaves the row as it was.
/// </summary>
public sealed class ScheduledSave(BatchExportsDbContext db, IExportOrchestrator orchestrator)
{
    /// <summary>Saves <paramref name="export"/> (added to the context first when <paramref name="isNew"/>) and its schedule.</summary>
    public Task SaveAsync(BatchExport export, bool isNew, CancellationToken cancellationToken) =>
        SaveAsync(export, isNew, orchestrator.ExportSavedAsync, cancellationToken);

    /// <summary>Saves a pause or unpause of <paramref name="export"/> and applies it to its schedule.</summary>
    public Task SavePauseChangeAsync(BatchExport export, CancellationToken cancellationToken) =>
        SaveAsync(export, isNew: false, orchestrator.ExportPauseChangedAsync, cancellationToken);

    private async Task SaveAsync(BatchExport export, bool isNew, Func<BatchExport, CancellationToken, Task> applySchedule, CancellationToken cancellationToken)
    {
        await using var transaction = await EngineTransaction.BeginAsync(db, orchestrator, cancellationToken);
        if (isNew)
        {
            db.BatchExports.Add(export);
        }

        await db.SaveChangesAsync(cancellationToken);
        // The engine may write schedule state of its own (e.g. the next firing), saved in the same transaction.
        await applySchedule(export, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
