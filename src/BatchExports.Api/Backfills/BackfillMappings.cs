using BatchExports.Core.Domain;
using BatchExports.Core.Services.Backfills;

namespace BatchExports.Api.Backfills;

public static class BackfillMappings
{
    public static BackfillResponse ToResponse(this BackfillView view)
    {
        var (b, progress) = view;
        return new BackfillResponse(
            b.Id, progress?.ToResponse(), b.StartAt, b.EndAt, b.Status, b.CreatedAt, b.FinishedAt,
            b.LastUpdatedAt, b.TeamId, b.BatchExportId, b.AdjustedStartAt, b.TotalRecordsCount);
    }

    /// <summary>The create response: a new backfill has no progress yet, and carries <c>backfill_id</c> for newer clients.</summary>
    public static BackfillCreatedResponse ToCreatedResponse(this BatchExportBackfill b) =>
        new(new BackfillView(b, null).ToResponse());

    private static BackfillProgress ToResponse(this BackfillRunProgress progress) =>
        new(progress.TotalRuns, progress.FinishedRuns, progress.Progress);
}
