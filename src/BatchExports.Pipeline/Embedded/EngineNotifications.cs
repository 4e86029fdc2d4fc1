using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// The PostgreSQL channel through which any process on the database tells the embedded engines that work appeared
/// (a backfill, a run, a changed schedule). Sent inside the transaction that creates the work, PostgreSQL delivers it
/// only on commit, so a woken engine always sees the rows; a rolled-back transaction wakes no one.
/// </summary>
public static class EngineNotifications
{
    public const string Channel = "batch_exports_engine";

    public static Task NotifyAsync(BatchExportsDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.ExecuteSqlRawAsync("NOTIFY " + Channel, cancellationToken);
    }
}
