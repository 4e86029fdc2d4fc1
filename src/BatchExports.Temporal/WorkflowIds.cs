using System.Globalization;
using BatchExports.Core.Domain;

namespace BatchExports.Temporal;

/// <summary>
/// Workflow ids as PostHog forms them, so a run or a backfill can be found (and cancelled) from its row alone:
/// a run is <c>{export id}-{interval end, UTC, to the second}Z</c> — what Temporal appends to a schedule action's id,
/// and what the backfill workflow uses for its children —, an on-demand run (a file download)
/// <c>{on-demand export id}-{start}Z-{end}Z</c>, and a backfill <c>{export id}-Backfill-{start|START}-{end|END}</c>.
/// </summary>
public static class WorkflowIds
{
    public static string Run(Guid batchExportId, DateTimeOffset dataIntervalEnd) => $"{batchExportId}-{Second(dataIntervalEnd)}Z";

    public static string OnDemandRun(Guid onDemandId, DateTimeOffset dataIntervalStart, DateTimeOffset dataIntervalEnd) =>
        $"{onDemandId}-{Second(dataIntervalStart)}Z-{Second(dataIntervalEnd)}Z";

    public static string Run(BatchExportRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.BatchExportOnDemandId is { } onDemandId)
        {
            return OnDemandRun(onDemandId, run.DataIntervalStart ?? run.DataIntervalEnd, run.DataIntervalEnd);
        }

        return Run(run.BatchExportId ?? throw new ArgumentException("The run belongs to no export.", nameof(run)), run.DataIntervalEnd);
    }

    public static string Backfill(Guid batchExportId, DateTimeOffset? startAt, DateTimeOffset? endAt) =>
        $"{batchExportId}-Backfill-{Iso(startAt) ?? "START"}-{Iso(endAt) ?? "END"}";

    public static string Backfill(BatchExportBackfill backfill)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        return Backfill(backfill.BatchExportId, backfill.StartAt, backfill.EndAt);
    }

    private static string Second(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    // Python's isoformat() of a UTC datetime: 2024-01-01T00:00:00+00:00.
    private static string? Iso(DateTimeOffset? instant) =>
        instant?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}
