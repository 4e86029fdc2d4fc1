using System.Text.Json.Serialization;

namespace BatchExports.Api.Backfills;

public sealed record BackfillProgress(int? TotalRuns, int? FinishedRuns, double? Progress);

/// <summary>PostHog's BatchExportBackfill (spec §1.9); the create response adds <c>backfill_id</c>.</summary>
public record BackfillResponse(
    Guid Id,
    BackfillProgress? Progress,
    DateTimeOffset? StartAt,
    DateTimeOffset? EndAt,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset LastUpdatedAt,
    int Team,
    Guid BatchExport,
    DateTimeOffset? AdjustedStartAt,
    long? TotalRecordsCount);

/// <summary>The create response: the backfill plus <c>backfill_id</c> (the same value), which newer PostHog clients read.</summary>
public sealed record BackfillCreatedResponse : BackfillResponse
{
    public BackfillCreatedResponse(BackfillResponse backfill)
        : base(backfill)
    {
    }

    [JsonPropertyOrder(1)]
    public Guid BackfillId => Id;
}

public sealed record BackfillIdResponse(Guid BackfillId);
