namespace BatchExports.Api.Runs;

/// <summary>PostHog's BatchExportRun (spec §1.8).</summary>
public sealed record BatchExportRunResponse(
    Guid Id,
    string Status,
    int? RecordsCompleted,
    int? RecordsFailed,
    string? LatestError,
    DateTimeOffset? DataIntervalStart,
    DateTimeOffset DataIntervalEnd,
    string? Cursor,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset LastUpdatedAt,
    long? RecordsTotalCount,
    long? BytesExported,
    Guid? BatchExport,
    Guid? BatchExportOnDemand,
    Guid? Backfill);

public sealed record CancelledResponse(bool Cancelled);
