using BatchExports.Api.Runs;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Services.BatchExports;

namespace BatchExports.Api.BatchExports;

/// <summary>Exports to wire records. Secrets are removed here, on the only path from a config to a response.</summary>
public static class BatchExportMappings
{
    public static BatchExportResponse ToResponse(this BatchExportView view, DestinationRegistry destinations)
    {
        var (export, config, latestRuns) = view;
        return new BatchExportResponse(
            export.Id,
            export.TeamId,
            export.Name,
            export.Model,
            new DestinationResponse(
                export.Destination.Type,
                destinations.WithoutSecrets(export.Destination.Type, config),
                export.Destination.IntegrationId,
                export.Destination.IntegrationId),
            export.Interval,
            export.Paused,
            export.CreatedAt,
            export.LastUpdatedAt,
            export.LastPausedAt,
            export.StartAt,
            export.EndAt,
            latestRuns.Select(RunMappings.ToResponse).ToList(),
            export.Schema?["hogql_query"]?.GetValue<string>(),
            (System.Text.Json.Nodes.JsonObject?)export.Schema?.DeepClone(),
            (System.Text.Json.Nodes.JsonArray?)export.Filters?.DeepClone(),
            export.Timezone,
            export.OffsetDay,
            export.OffsetHour);
    }
}
