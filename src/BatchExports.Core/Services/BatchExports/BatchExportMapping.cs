using System.Text.Json.Nodes;
using BatchExports.Core.Contracts;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>Entities to wire records. Secrets are removed here, on the only path from a config to a response.</summary>
public static class BatchExportMapping
{
    public static BatchExportResponse ToResponse(BatchExport export, JsonObject config, IReadOnlyList<BatchExportRun> latestRuns) => new(
        export.Id,
        export.TeamId,
        export.Name,
        export.Model,
        new DestinationResponse(
            export.Destination.Type,
            DestinationCatalog.WithoutSecrets(export.Destination.Type, config),
            export.Destination.IntegrationId,
            export.Destination.IntegrationId),
        export.Interval,
        export.Paused,
        export.CreatedAt,
        export.LastUpdatedAt,
        export.LastPausedAt,
        export.StartAt,
        export.EndAt,
        latestRuns.Select(ToResponse).ToList(),
        export.Schema?["hogql_query"]?.GetValue<string>(),
        (JsonObject?)export.Schema?.DeepClone(),
        (JsonArray?)export.Filters?.DeepClone(),
        export.Timezone,
        export.OffsetDay,
        export.OffsetHour);

    public static BatchExportRunResponse ToResponse(BatchExportRun run) => new(
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
        null,
        run.BackfillId);
}
