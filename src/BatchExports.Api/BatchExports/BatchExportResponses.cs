using System.Text.Json.Nodes;
using BatchExports.Api.Runs;

namespace BatchExports.Api.BatchExports;

public sealed record DestinationResponse(string Type, JsonObject Config, int? Integration, int? IntegrationId);

/// <summary>PostHog's BatchExport, fields in its serializer's order (spec §1.6).</summary>
public sealed record BatchExportResponse(
    Guid Id,
    int TeamId,
    string Name,
    string Model,
    DestinationResponse Destination,
    string Interval,
    bool Paused,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? LastPausedAt,
    DateTimeOffset? StartAt,
    DateTimeOffset? EndAt,
    IReadOnlyList<BatchExportRunResponse> LatestRuns,
    string? HogqlQuery,
    JsonObject? Schema,
    JsonArray? Filters,
    string Timezone,
    int? OffsetDay,
    int? OffsetHour);

public sealed record PausedResponse(bool Paused);
