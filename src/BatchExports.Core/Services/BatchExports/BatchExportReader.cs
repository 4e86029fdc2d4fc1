using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>Lists and retrieves batch exports, each with its decrypted config and newest runs.</summary>
public sealed class BatchExportReader(ExportLookup lookup, BatchExportsDbContext db, ConfigCipher cipher)
{
    private const int LatestRunsCount = 10;

    public async Task<(int Count, IReadOnlyList<BatchExportView> Results)> ListAsync(
        ExportScope scope, int limit, int offset, CancellationToken cancellationToken)
    {
        var query = lookup.Visible(scope).OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id);
        var count = await query.CountAsync(cancellationToken);
        var exports = await query.Skip(offset).Take(limit).Include(e => e.Destination).AsNoTracking().ToListAsync(cancellationToken);
        var ids = exports.Select(e => e.Id).ToArray();
        // One query for every export's newest runs: a lateral join, each export reading its ten newest runs from the
        // (batch_export_id, created_at) index. EF's own translation of the same LINQ numbers every run in the table
        // (ROW_NUMBER over all of batch_export_runs), which grows with the history rather than with the page.
        var runs = await db.BatchExportRuns.FromSql($"""
                SELECT r.* FROM unnest({ids}) AS e(id)
                CROSS JOIN LATERAL (
                    SELECT * FROM batch_export_runs
                    WHERE batch_export_id = e.id
                    ORDER BY created_at DESC, id DESC
                    LIMIT {LatestRunsCount}) AS r
                """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var byExport = runs.ToLookup(r => r.BatchExportId);
        var views = exports.Select(e => new BatchExportView(
                e,
                Decrypt(e),
                byExport[e.Id].OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToList()))
            .ToList();
        return (count, views);
    }

    public async Task<BatchExportView> GetAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawId, tracked: false, cancellationToken);
        return await ViewAsync(export, Decrypt(export), cancellationToken);
    }

    public async Task<BatchExportView> ViewAsync(BatchExport export, JsonObject config, CancellationToken cancellationToken)
    {
        var runs = await db.BatchExportRuns.AsNoTracking()
            .Where(r => r.BatchExportId == export.Id)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Take(LatestRunsCount)
            .ToListAsync(cancellationToken);
        return new BatchExportView(export, config, runs);
    }

    public JsonObject Decrypt(BatchExport export) => cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);
}
