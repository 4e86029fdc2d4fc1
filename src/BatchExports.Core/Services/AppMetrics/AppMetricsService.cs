using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.BatchExports;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.AppMetrics;

/// <summary>
/// App metrics of a batch export as PostHog computes them now, from the runs table: runs whose
/// <c>last_updated_at</c> falls in the range, grouped by its UTC day; <c>records_total_count</c> (0 when null) of
/// Completed runs are successes, of the other finished runs failures.
/// </summary>
public sealed class AppMetricsService(BatchExportsDbContext db, ExportLookup lookup)
{
    /// <summary>The finished statuses that count as failures (Cancelled runs neither succeeded nor failed).</summary>
    private static readonly string[] FailedStatuses =
        [RunStatuses.Failed, RunStatuses.FailedRetryable, RunStatuses.FailedBilling, RunStatuses.Terminated, RunStatuses.TimedOut];

    public async Task<AppMetricsView> GetAsync(ExportScope scope, string rawExportId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var runs = await FinishedRunsAsync(scope, rawExportId, from, to, cancellationToken);
        var days = await runs
            .Where(r => r.Status == RunStatuses.Completed || FailedStatuses.Contains(r.Status))
            .Select(r => new { r.LastUpdatedAt, r.Status, Records = r.RecordsTotalCount ?? 0 })
            .ToListAsync(cancellationToken);
        var byDay = days
            .GroupBy(r => DateOnly.FromDateTime(r.LastUpdatedAt.UtcDateTime))
            .OrderBy(g => g.Key)
            .Select(g => (Day: g.Key, Successes: g.Where(r => r.Status == RunStatuses.Completed).Sum(r => r.Records), Failures: g.Where(r => r.Status != RunStatuses.Completed).Sum(r => r.Records)))
            .ToList();
        return new AppMetricsView(byDay.Select(d => d.Day).ToList(), byDay.Select(d => d.Successes).ToList(), byDay.Select(d => d.Failures).ToList());
    }

    /// <summary>The errors of the export's failed runs in the range, grouped by message, most frequent first.</summary>
    public async Task<IReadOnlyList<AppMetricsError>> ErrorsAsync(
        ExportScope scope, string rawExportId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var runs = await FinishedRunsAsync(scope, rawExportId, from, to, cancellationToken);
        var errors = await runs
            .Where(r => FailedStatuses.Contains(r.Status) && r.LatestError != null)
            .GroupBy(r => r.LatestError!)
            .Select(g => new { ErrorType = g.Key, Count = g.Count(), LastSeen = g.Max(r => r.LastUpdatedAt) })
            .ToListAsync(cancellationToken);
        return errors.OrderByDescending(e => e.Count).ThenByDescending(e => e.LastSeen)
            .Select(e => new AppMetricsError(e.ErrorType, e.Count, e.LastSeen)).ToList();
    }

    private async Task<IQueryable<BatchExportRun>> FinishedRunsAsync(
        ExportScope scope, string rawExportId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // A plugin config id (an integer) names no batch export: for a team without plugins that is PostHog's 404.
        var export = await lookup.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        return db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == export.Id && r.LastUpdatedAt >= from && r.LastUpdatedAt <= to);
    }
}
