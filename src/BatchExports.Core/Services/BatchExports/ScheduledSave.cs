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
        // EF would wrap each SaveChanges in a savepoint of the open transaction (SAVEPOINT and RELEASE, a round trip
        // each); a failed save here throws and rolls the whole transaction back, so a savepoint buys nothing.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await using var transaction = await EngineTransaction.BeginAsync(db, orchestrator, cancellationToken);
            if (isNew)
            {
                // A new export has no schedule yet, so the engine's schedule state is added before anything is sent
                // and the export, its destination and its schedule go to PostgreSQL as one batch.
                db.BatchExports.Add(export);
                await applySchedule(export, cancellationToken);
            }
            else
            {
                await db.SaveChangesAsync(cancellationToken);
                // The engine may write schedule state of its own (e.g. the next firing), saved in the same transaction.
                await applySchedule(export, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
    }
}
