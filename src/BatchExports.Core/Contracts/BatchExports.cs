using System.ComponentModel;
using System.Text.Json.Nodes;
using BatchExports.Core.Json;

namespace BatchExports.Core.Contracts;

/// <summary>
/// The body of create, PUT and PATCH. Every field is optional on the wire so that the validators can give PostHog's
/// messages ("This field is required." vs "This field may not be null.") and PATCH can tell "sent as null" from "absent".
/// </summary>
public record BatchExportWriteRequest : PresenceTracked
{
    [Description("A human-readable name for this BatchExport.")]
    public string? Name { get; init; }

    [Description("Which model this BatchExport is exporting: events, persons or sessions.")]
    public string? Model { get; init; }

    public DestinationWriteRequest? Destination { get; init; }

    [Description("hour, day, week, every 5 minutes or every 15 minutes.")]
    public string? Interval { get; init; }

    [Description("Whether this BatchExport is paused or not.")]
    public bool? Paused { get; init; }

    [Description("The timestamp at which this BatchExport was last paused.")]
    public DateTimeOffset? LastPausedAt { get; init; }

    [Description("Time before which any Batch Export runs won't be triggered.")]
    public DateTimeOffset? StartAt { get; init; }

    [Description("Time after which any Batch Export runs won't be triggered.")]
    public DateTimeOffset? EndAt { get; init; }

    [Description("SELECT <field or properties.<name>>[ AS alias], … FROM events: the columns to export (model events only).")]
    public string? HogqlQuery { get; init; }

    [Description("null, or a list of filters each with a type of event, person or hogql.")]
    public JsonNode? Filters { get; init; }

    [Description("IANA time zone of the schedule (day and week intervals). Defaults to UTC.")]
    public string? Timezone { get; init; }

    [Description("Day of the week (0 = Sunday … 6 = Saturday) for week intervals.")]
    public int? OffsetDay { get; init; }

    [Description("Hour of the day (0–23) for day and week intervals.")]
    public int? OffsetHour { get; init; }

    [Description("The team to create the export in: required on the organization route, ignored elsewhere.")]
    public int? TeamId { get; init; }
}

/// <summary>A create body plus the step to run: PostHog's <c>run_test_step_new</c>.</summary>
public sealed record DestinationTestStepRequest : BatchExportWriteRequest
{
    [Description("Which step of the destination's test to run (0-based).")]
    public int? Step { get; init; }
}

/// <summary>PostHog's <c>run_test_step</c> on a saved export: the submitted config is merged over the stored one.</summary>
public sealed record StoredDestinationTestStepRequest
{
    public int? Step { get; init; }

    public DestinationWriteRequest? Destination { get; init; }
}

public sealed record DestinationWriteRequest : PresenceTracked
{
    [Description("S3, Postgres, Redshift, HTTP or NoOp.")]
    public string? Type { get; init; }

    [Description("The destination's settings; see the per-type schemas.")]
    public JsonObject? Config { get; init; }

    public int? Integration { get; init; }

    [Description("Write-only alias of integration.")]
    public int? IntegrationId { get; init; }

    // The generated ToString would print the config, secrets included, into any log line that formats a request
    // (ASP.NET logs action arguments at Trace level). Print only the config's keys.
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Type = ").Append(Type)
            .Append(", Config = ").Append(Config == null ? "null" : "{ " + string.Join(", ", Config.Select(p => p.Key)) + " }")
            .Append(", Integration = ").Append(Integration)
            .Append(", IntegrationId = ").Append(IntegrationId);
        return true;
    }
}

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
    Guid BatchExport,
    Guid? BatchExportOnDemand,
    Guid? Backfill);

public sealed record PausedResponse(bool Paused);

public sealed record UnpauseRequest
{
    [Description("Backfill the intervals missed while paused.")]
    public bool? Backfill { get; init; }
}

/// <summary>One log line, as PostHog's log entries API returns it.</summary>
public sealed record LogEntryResponse(string LogSourceId, string? InstanceId, DateTimeOffset Timestamp, string Level, string Message);

public sealed record BackfillCreateRequest
{
    [Description("Start of the period: a date (YYYY-MM-DD) for day and week exports, else an ISO datetime with offset. null = from the earliest data.")]
    public string? StartAt { get; init; }

    [Description("End of the period, same format. null = up to now, then unpause (HTTP and NoOp only).")]
    public string? EndAt { get; init; }
}

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

public sealed record CancelledResponse(bool Cancelled);
