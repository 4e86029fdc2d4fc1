using BatchExports.Core.Domain;

namespace BatchExports.Api.Runs;

public static class RunMappings
{
    public static BatchExportRunResponse ToResponse(this BatchExportRun run) => new(
        run.Id,
        run.Status,
        run.RecordsCompleted,
        run.RecordsFailed,
        run.LatestError,
        run.DataIntervalStart,
        run.DataIntervalEnd,
        run.Cursor,
        run.CreatedAt,
        run.FinishedAt,
        run.LastUpdatedAt,
        run.RecordsTotalCount,
        run.BytesExported,
        run.BatchExportId,
        run.BatchExportOnDemandId,
        run.BackfillId);
}
