using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace BatchExports.Core.Orchestration;

/// <summary>
/// A database transaction whose changes the engine also carries out (a Temporal schedule, a started workflow): when
/// it ends without committing — a later step threw, or the commit itself failed — it rolls back and then asks the
/// engine to undo its side, so the change stays all-or-nothing although the engine keeps state elsewhere.
/// </summary>
public sealed class EngineTransaction : IAsyncDisposable
{
    private readonly IDbContextTransaction _transaction;
    private readonly IExportOrchestrator _orchestrator;
    private bool _committed;

    private EngineTransaction(IDbContextTransaction transaction, IExportOrchestrator orchestrator)
    {
        _transaction = transaction;
        _orchestrator = orchestrator;
    }

    public static async Task<EngineTransaction> BeginAsync(DbContext db, IExportOrchestrator orchestrator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(orchestrator);
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        orchestrator.BeginChanges();
        return new EngineTransaction(transaction, orchestrator);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _transaction.CommitAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        // The rollback first, so an undo that re-reads the database sees the state that stands.
        await _transaction.DisposeAsync();
        if (!_committed)
        {
            await _orchestrator.UndoChangesAsync();
        }
    }
}
