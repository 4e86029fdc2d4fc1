using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Errors;
using BatchExports.Core.Hosting;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.Logs;
using BatchExports.Core.Services.Paging;
using BatchExports.Core.Services.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BatchExports.Core.Services.Backfills;

/// <summary>
/// Backfills: re-export a past period interval by interval through the calendar, with progress (spec §4.5, §5.4).
/// The engine drives them; this service creates, lists and cancels them.
/// </summary>
public sealed class BackfillService(
    BatchExportsDbContext db,
    ExportLookup lookup,
    IExportOrchestrator orchestrator,
    ExportLog log,
    TimeProvider clock,
    IOptions<BatchExportsOptions> options,
    DestinationRegistry destinations)
{
    public const int PageSize = 50;

    /// <summary>What <c>ordering</c> may name; anything else falls back to <c>-created_at</c>, as PostHog.</summary>
    public static readonly IReadOnlyList<string> Orderings = ["created_at", "-created_at", "start_at", "-start_at"];

    /// <summary>A backfill of the export over <c>[startAt, endAt)</c>, as the user wrote the bounds (see <see cref="BackfillBounds"/>).</summary>
    public async Task<BatchExportBackfill> CreateAsync(
        ExportScope scope, string rawExportId, string? startAt, string? endAt, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        var start = startAt is { } rawStart ? BackfillBounds.Parse(rawStart, export) : (DateTimeOffset?)null;
        var end = endAt is { } rawEnd ? BackfillBounds.Parse(rawEnd, export) : (DateTimeOffset?)null;

        if (start != null && end != null && start >= end)
        {
            throw new ValidationException("The initial backfill datetime 'start_at' must be before 'end_at'");
        }

        if (end != null && end > clock.GetUtcNow())
        {
            throw new ValidationException($"The provided 'end_at' ({BackfillBounds.IsoFormat(end.Value, endAt!, export)}) is in the future");
        }

        if (end == null && !destinations.Get(export.Destination.Type).BackfillMayOmitEndAt)
        {
            throw new ValidationException("Backfilling a BatchExport with no end date is not allowed");
        }

        return await StartAsync(export, start, end, enforceLimit: true, cancellationToken);
    }

    /// <summary>
    /// Creates a backfill row for the engine to drive. A per-team advisory lock makes the concurrency limit exact
    /// even when requests race.
    /// </summary>
    public async Task<BatchExportBackfill> StartAsync(
        BatchExport export, DateTimeOffset? start, DateTimeOffset? end, bool enforceLimit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var backfill = new BatchExportBackfill
        {
            Id = Guid.CreateVersion7(),
            TeamId = export.TeamId,
            BatchExportId = export.Id,
            StartAt = start,
            EndAt = end,
            Status = BackfillStatuses.Starting,
            CreatedAt = now,
            LastUpdatedAt = now,
        };

        await using var transaction = await EngineTransaction.BeginAsync(db, orchestrator, cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(7001, {export.TeamId})", cancellationToken);
        if (enforceLimit)
        {
            var limit = options.Value.MaxConcurrentBackfillsPerTeam;
            var running = await db.BatchExportBackfills.CountAsync(
                b => b.TeamId == export.TeamId && (b.Status == BackfillStatuses.Starting || b.Status == BackfillStatuses.Running), cancellationToken);
            if (running >= limit)
            {
                throw new TooManyConcurrentBackfillsException(limit);
            }
        }

        db.BatchExportBackfills.Add(backfill);
        await db.SaveChangesAsync(cancellationToken);
        await orchestrator.BackfillCreatedAsync(backfill, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await log.InfoAsync(export.TeamId, export.Id, null,
            $"Backfill {backfill.Id} requested for {Describe(start, "the earliest data")} to {Describe(end, "now")}.", cancellationToken);
        return backfill;
    }

    public async Task<KeysetPage.Result<BackfillView>> ListAsync(
        ExportScope scope, string rawExportId, string? ordering, string? cursor, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        ordering = RequestedOrdering.Resolve(ordering, Orderings, "-created_at");
        var descending = ordering.StartsWith('-');
        var query = db.BatchExportBackfills.AsNoTracking().Where(b => b.BatchExportId == export.Id);
        var page = ordering switch
        {
            "created_at" or "-created_at" => await KeysetPage.ReadAsync(query, b => b.CreatedAt, b => b.Id, descending, cursor, PageSize, cancellationToken),
            _ => await KeysetPage.ReadAsync(query, b => b.StartAt ?? DateTimeOffset.MinValue, b => b.Id, descending, cursor, PageSize, cancellationToken),
        };
        return new KeysetPage.Result<BackfillView>(await ViewsAsync(page.Items, export, cancellationToken), page.NextCursor, page.PreviousCursor);
    }

    public async Task<BackfillView> GetAsync(ExportScope scope, string rawExportId, string rawBackfillId, CancellationToken cancellationToken)
    {
        var (export, backfill) = await lookup.FindBackfillAsync(scope, rawExportId, rawBackfillId, tracked: false, cancellationToken);
        return (await ViewsAsync([backfill], export, cancellationToken))[0];
    }

    /// <summary>Cancels a Starting/Running backfill and its active runs (spec §5.4).</summary>
    public async Task CancelAsync(ExportScope scope, string rawExportId, string rawBackfillId, CancellationToken cancellationToken)
    {
        var (export, backfill) = await lookup.FindBackfillAsync(scope, rawExportId, rawBackfillId, tracked: true, cancellationToken);
        if (!BackfillStatuses.IsActive(backfill.Status))
        {
            throw new ValidationException($"Cannot cancel a backfill that is in '{backfill.Status}' status");
        }

        // One transaction: an engine that cannot cancel the backfill's workflow leaves the backfill as it was.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await CancelWithRunsAsync(backfill, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await log.WarningAsync(export.TeamId, export.Id, null, $"Backfill {backfill.Id} was cancelled.", cancellationToken);
    }

    /// <summary>Cancels every Starting/Running backfill of <paramref name="export"/> and their active runs; returns how many.</summary>
    public async Task<int> CancelActiveAsync(BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        var active = await db.BatchExportBackfills
            .Where(b => b.BatchExportId == export.Id && (b.Status == BackfillStatuses.Starting || b.Status == BackfillStatuses.Running))
            .ToListAsync(cancellationToken);
        foreach (var backfill in active)
        {
            await CancelWithRunsAsync(backfill, cancellationToken);
        }

        return active.Count;
    }

    /// <summary>Marks a backfill and its active runs Cancelled and tells the engine.</summary>
    private async Task CancelWithRunsAsync(BatchExportBackfill backfill, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        RunCancellation.MarkBackfillCancelled(backfill, now);
        var runs = await db.BatchExportRuns
            .Where(r => r.BackfillId == backfill.Id && (r.Status == RunStatuses.Starting || r.Status == RunStatuses.Running))
            .ToListAsync(cancellationToken);
        foreach (var run in runs)
        {
            RunCancellation.MarkCancelled(run, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await orchestrator.BackfillCancelledAsync(backfill, cancellationToken);
        foreach (var run in runs)
        {
            await orchestrator.RunCancelledAsync(run, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<BackfillView>> ViewsAsync(
        IReadOnlyList<BatchExportBackfill> backfills, BatchExport export, CancellationToken cancellationToken)
    {
        var ids = backfills.Select(b => b.Id).ToList();
        var finished = await db.BatchExportRuns.AsNoTracking()
            .Where(r => r.BackfillId != null && ids.Contains(r.BackfillId.Value)
                && (r.Status == RunStatuses.Completed || r.Status == RunStatuses.Failed))
            .GroupBy(r => r.BackfillId!.Value)
            .Select(g => new { Id = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Id, x => x.Count, cancellationToken);
        var now = clock.GetUtcNow();
        return backfills.Select(b => new BackfillView(b, BackfillProgressRules.Compute(b, ScheduleSpec.Of(export), finished.GetValueOrDefault(b.Id), now))).ToList();
    }

    private static string Describe(DateTimeOffset? bound, string whenMissing) =>
        bound is { } value ? Json.WireJson.FormatDateTime(value) : whenMissing;
}
