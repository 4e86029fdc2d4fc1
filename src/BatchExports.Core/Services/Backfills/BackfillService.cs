using BatchExports.Core.Contracts;
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
    BatchExportService exports,
    IExportOrchestrator orchestrator,
    ExportLog log,
    TimeProvider clock,
    IOptions<BatchExportsOptions> options)
{
    public const int PageSize = 50;

    public async Task<BackfillCreatedResponse> CreateAsync(ExportScope scope, string rawExportId, BackfillCreateRequest request, CancellationToken cancellationToken)
    {
        var export = await exports.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        var start = request.StartAt is { } rawStart ? BackfillBounds.Parse(rawStart, export) : (DateTimeOffset?)null;
        var end = request.EndAt is { } rawEnd ? BackfillBounds.Parse(rawEnd, export) : (DateTimeOffset?)null;

        if (start != null && end != null && start >= end)
        {
            throw ApiException.Validation("The initial backfill datetime 'start_at' must be before 'end_at'");
        }

        if (end != null && end > clock.GetUtcNow())
        {
            throw ApiException.Validation($"The provided 'end_at' ({BackfillBounds.IsoFormat(end.Value, request.EndAt!, export)}) is in the future");
        }

        if (end == null && export.Destination.Type is not (DestinationCatalog.Http or DestinationCatalog.NoOp))
        {
            throw ApiException.Validation("Backfilling a BatchExport with no end date is not allowed");
        }

        var backfill = await StartAsync(export, start, end, enforceLimit: true, cancellationToken);
        return ToCreatedResponse(backfill);
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

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(7001, {export.TeamId})", cancellationToken);
        if (enforceLimit)
        {
            var limit = options.Value.MaxConcurrentBackfillsPerTeam;
            var running = await db.BatchExportBackfills.CountAsync(
                b => b.TeamId == export.TeamId && (b.Status == BackfillStatuses.Starting || b.Status == BackfillStatuses.Running), cancellationToken);
            if (running >= limit)
            {
                throw ApiException.TooManyConcurrentBackfills(limit);
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

    /// <summary>PostHog's unpause: with <paramref name="backfill"/>, the paused period (last pause to now) is backfilled.</summary>
    public async Task UnpauseAsync(ExportScope scope, string rawExportId, bool backfill, CancellationToken cancellationToken)
    {
        var (export, unpaused) = await exports.UnpauseAsync(scope, rawExportId, cancellationToken);
        if (backfill && unpaused && export.LastPausedAt is { } pausedAt)
        {
            await StartAsync(export, pausedAt, export.LastUpdatedAt, enforceLimit: false, cancellationToken);
        }
    }

    public async Task<CursorPage<BackfillResponse>> ListAsync(
        ExportScope scope, string rawExportId, string? ordering, string? cursor, Func<string, string> link, CancellationToken cancellationToken)
    {
        var export = await exports.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        ordering ??= "-created_at";
        var descending = ordering.StartsWith('-');
        var query = db.BatchExportBackfills.AsNoTracking().Where(b => b.BatchExportId == export.Id);
        var page = ordering switch
        {
            "created_at" or "-created_at" => await KeysetPage.ReadAsync(query, b => b.CreatedAt, b => b.Id, descending, cursor, PageSize, cancellationToken),
            "start_at" or "-start_at" => await KeysetPage.ReadAsync(query, b => b.StartAt ?? DateTimeOffset.MinValue, b => b.Id, descending, cursor, PageSize, cancellationToken),
            _ => throw ApiException.Validation($"\"{ordering}\" is not a valid choice.", "ordering", "invalid_choice"),
        };
        var responses = await ToResponsesAsync(page.Items, export, cancellationToken);
        return new CursorPage<BackfillResponse>(
            page.NextCursor == null ? null : link(page.NextCursor),
            page.PreviousCursor == null ? null : link(page.PreviousCursor),
            responses);
    }

    public async Task<BackfillResponse> GetAsync(ExportScope scope, string rawExportId, string rawBackfillId, CancellationToken cancellationToken)
    {
        var (export, backfill) = await FindAsync(scope, rawExportId, rawBackfillId, tracked: false, cancellationToken);
        return (await ToResponsesAsync([backfill], export, cancellationToken))[0];
    }

    /// <summary>Cancels a Starting/Running backfill and its active runs (spec §5.4).</summary>
    public async Task CancelAsync(ExportScope scope, string rawExportId, string rawBackfillId, CancellationToken cancellationToken)
    {
        var (export, backfill) = await FindAsync(scope, rawExportId, rawBackfillId, tracked: true, cancellationToken);
        if (!BackfillStatuses.IsActive(backfill.Status))
        {
            throw ApiException.Validation($"Cannot cancel a backfill that is in '{backfill.Status}' status");
        }

        await CancelWithRunsAsync(backfill, cancellationToken);
        await log.WarningAsync(export.TeamId, export.Id, null, $"Backfill {backfill.Id} was cancelled.", cancellationToken);
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

    private async Task<(BatchExport Export, BatchExportBackfill Backfill)> FindAsync(
        ExportScope scope, string rawExportId, string rawBackfillId, bool tracked, CancellationToken cancellationToken)
    {
        var export = await exports.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        if (!Guid.TryParse(rawBackfillId, out var backfillId))
        {
            throw ApiException.NotFound();
        }

        var query = db.BatchExportBackfills.Where(b => b.Id == backfillId && b.BatchExportId == export.Id);
        var backfill = await (tracked ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken) ?? throw ApiException.NotFound();
        return (export, backfill);
    }

    private async Task<IReadOnlyList<BackfillResponse>> ToResponsesAsync(
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
        return backfills.Select(b => ToResponse(b, BackfillProgressRules.Compute(b, ScheduleSpec.Of(export), finished.GetValueOrDefault(b.Id), now))).ToList();
    }

    private static BackfillResponse ToResponse(BatchExportBackfill backfill, BackfillProgress? progress) => new(
        backfill.Id, progress, backfill.StartAt, backfill.EndAt, backfill.Status, backfill.CreatedAt, backfill.FinishedAt,
        backfill.LastUpdatedAt, backfill.TeamId, backfill.BatchExportId, backfill.AdjustedStartAt, backfill.TotalRecordsCount);

    private static BackfillCreatedResponse ToCreatedResponse(BatchExportBackfill b) => new(
        b.Id, null, b.StartAt, b.EndAt, b.Status, b.CreatedAt, b.FinishedAt, b.LastUpdatedAt, b.TeamId, b.BatchExportId,
        b.AdjustedStartAt, b.TotalRecordsCount, b.Id);

    private static string Describe(DateTimeOffset? bound, string whenMissing) =>
        bound is { } value ? Json.WireJson.FormatDateTime(value) : whenMissing;
}

/// <summary>PostHog's backfill <c>progress</c> (spec §5.4), counting the runs the calendar yields.</summary>
public static class BackfillProgressRules
{
    public static BackfillProgress? Compute(BatchExportBackfill backfill, ScheduleSpec spec, int finishedRuns, DateTimeOffset now)
    {
        var total = TotalExpectedRuns(backfill, spec, now);
        if (backfill.Status == BackfillStatuses.Completed)
        {
            return new BackfillProgress(total, total, 1.0);
        }

        if (!BackfillStatuses.IsActive(backfill.Status) || total is null or 0 || (backfill.StartAt == null && backfill.AdjustedStartAt == null))
        {
            return null;
        }

        var expected = Math.Max(total.Value, finishedRuns);
        return new BackfillProgress(expected, finishedRuns, RoundToTenths((double)finishedRuns / expected));
    }

    /// <summary>
    /// Python's <c>round(x, 1)</c>: the exact binary value of <paramref name="value"/> rounded half to even. Unlike
    /// <see cref="Math.Round(double, int)"/>, which rounds <c>x * 10</c>: 1/20 is 0.1 in PostHog, but 0 that way.
    /// </summary>
    public static double RoundToTenths(double value)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            mantissa |= 1L << 52;
        }

        // |value| * 10 = numerator / denominator exactly.
        exponent -= 1075;
        var numerator = new System.Numerics.BigInteger(mantissa) * 10;
        var denominator = System.Numerics.BigInteger.One;
        if (exponent < 0)
        {
            denominator <<= -exponent;
        }
        else
        {
            numerator <<= exponent;
        }

        var tenths = System.Numerics.BigInteger.DivRem(numerator, denominator, out var remainder);
        var half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !tenths.IsEven))
        {
            tenths += 1;
        }

        return Math.CopySign((double)tenths / 10, value);
    }

    /// <summary>The calendar's count of intervals (every interval of the range runs, with or without data).</summary>
    public static int? TotalExpectedRuns(BatchExportBackfill backfill, ScheduleSpec spec, DateTimeOffset now)
    {
        var start = backfill.AdjustedStartAt ?? backfill.StartAt;
        if (start == null)
        {
            // A backfill from the beginning of time over a model with no data at all runs nothing.
            return backfill.TotalRecordsCount == 0 ? 0 : 1;
        }

        var end = backfill.EndAt ?? backfill.FinishedAt ?? (backfill.Status == BackfillStatuses.Running || backfill.Status == BackfillStatuses.Starting ? now : null);
        return end == null ? null : ExportCalendar.CountIntervalsCovering(spec, start.Value, end.Value);
    }
}
