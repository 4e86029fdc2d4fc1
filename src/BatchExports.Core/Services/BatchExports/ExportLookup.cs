using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// Finds what a detail route names: a non-deleted export within an <see cref="ExportScope"/>, and the runs and
/// backfills under it; and the runs of on-demand exports (file downloads). Anything not found, not visible or not a UUID is the same 404.
/// </summary>
public sealed class ExportLookup(BatchExportsDbContext db)
{
    public IQueryable<BatchExport> Visible(ExportScope scope)
    {
        var teamIds = scope.TeamIds.ToList();
        return db.BatchExports.Where(e => teamIds.Contains(e.TeamId) && !e.Deleted);
    }

    public async Task<BatchExport> FindAsync(ExportScope scope, string rawId, bool tracked, CancellationToken cancellationToken)
    {
        var id = ParseId(rawId);
        var query = Visible(scope).Include(e => e.Destination).Where(e => e.Id == id);
        return await (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException();
    }

    public Task<(BatchExport Export, BatchExportRun Run)> FindRunAsync(
        ExportScope scope, string rawExportId, string rawRunId, bool tracked, CancellationToken cancellationToken) =>
        FindChildAsync(scope, rawExportId, rawRunId, tracked, (id, exportId) => db.BatchExportRuns.Where(r => r.Id == id && r.BatchExportId == exportId), cancellationToken);

    public Task<(BatchExport Export, BatchExportBackfill Backfill)> FindBackfillAsync(
        ExportScope scope, string rawExportId, string rawBackfillId, bool tracked, CancellationToken cancellationToken) =>
        FindChildAsync(scope, rawExportId, rawBackfillId, tracked, (id, exportId) => db.BatchExportBackfills.Where(b => b.Id == id && b.BatchExportId == exportId), cancellationToken);

    /// <summary>The runs of the visible, non-deleted on-demand exports (file downloads) of the scope.</summary>
    public IQueryable<BatchExportRun> VisibleOnDemandRuns(ExportScope scope)
    {
        var teamIds = scope.TeamIds.ToList();
        return from r in db.BatchExportRuns
               join o in db.BatchExportOnDemands on r.BatchExportOnDemandId equals o.Id
               where teamIds.Contains(o.TeamId) && !o.Deleted
               select r;
    }

    /// <summary>A file download, addressed by its run id (as PostHog's file download routes are).</summary>
    public async Task<BatchExportRun> FindOnDemandRunAsync(ExportScope scope, string rawRunId, bool tracked, CancellationToken cancellationToken)
    {
        var id = ParseId(rawRunId);
        var query = VisibleOnDemandRuns(scope).Where(r => r.Id == id);
        return await (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException();
    }

    private async Task<(BatchExport Export, T Child)> FindChildAsync<T>(
        ExportScope scope,
        string rawExportId,
        string rawChildId,
        bool tracked,
        Func<Guid, Guid, IQueryable<T>> byIdWithinExport,
        CancellationToken cancellationToken)
        where T : class
    {
        var export = await FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        var query = byIdWithinExport(ParseId(rawChildId), export.Id);
        var child = await (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException();
        return (export, child);
    }

    public static Guid ParseId(string rawId) => Guid.TryParse(rawId, out var id) ? id : throw new NotFoundException();
}
