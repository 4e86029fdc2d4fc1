namespace BatchExports.Api.Backfills;

public sealed record BackfillProgress(int? TotalRuns, int? FinishedRuns, double? Progress);

/// <summary>PostHog's BatchExportBackfill (spec §1.9); the create response adds <c>backfill_id</c>.</summary>
public sealed record BackfillResponse(
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

public sealed record BackfillCreatedResponse(
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
    long? TotalRecordsCount,
    Guid BackfillId);

public sealed record BackfillIdResponse(Guid BackfillId);
