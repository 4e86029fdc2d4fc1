using System.Text.Json.Serialization;

namespace BatchExports.Temporal;

/// <summary>
/// The one argument of an export workflow, as PostHog's <c>BaseBatchExportInputs</c> spells it (worker spec §1.2).
/// Destination config is deliberately not carried: it stays encrypted in the database and the activity reads it
/// there, so no credential ever sits in Temporal's history. <c>interval_offset</c> is ours: the workflow needs it to
/// find the start of a day/week interval through the one calendar.
/// </summary>
public sealed record ExportWorkflowInput(
    [property: JsonPropertyName("batch_export_id")] Guid BatchExportId,
    [property: JsonPropertyName("team_id")] int TeamId,
    [property: JsonPropertyName("interval")] string Interval,
    [property: JsonPropertyName("timezone")] string Timezone,
    [property: JsonPropertyName("interval_offset")] int? IntervalOffset,
    [property: JsonPropertyName("batch_export_model")] ExportModelInput BatchExportModel,
    [property: JsonPropertyName("data_interval_end")] DateTimeOffset? DataIntervalEnd = null,
    [property: JsonPropertyName("backfill_details")] BackfillDetails? BackfillDetails = null,
    [property: JsonPropertyName("integration_id")] int? IntegrationId = null);

/// <summary>PostHog's <c>BatchExportModel</c>: the model name; its filters and schema are read from the export row.</summary>
public sealed record ExportModelInput([property: JsonPropertyName("name")] string Name);

/// <summary>PostHog's <c>BackfillDetails</c>: the backfill's own bounds (not the run's), set on every run a backfill starts.</summary>
public sealed record BackfillDetails(
    [property: JsonPropertyName("backfill_id")] Guid BackfillId,
    [property: JsonPropertyName("start_at")] DateTimeOffset? StartAt,
    [property: JsonPropertyName("end_at")] DateTimeOffset? EndAt,
    [property: JsonPropertyName("is_earliest_backfill")] bool IsEarliestBackfill);

/// <summary>PostHog's <c>BackfillBatchExportInputs</c> (worker spec §3.4).</summary>
public sealed record BackfillWorkflowInput(
    [property: JsonPropertyName("team_id")] int TeamId,
    [property: JsonPropertyName("batch_export_id")] Guid BatchExportId,
    [property: JsonPropertyName("start_at")] DateTimeOffset? StartAt,
    [property: JsonPropertyName("end_at")] DateTimeOffset? EndAt,
    [property: JsonPropertyName("backfill_id")] Guid BackfillId,
    [property: JsonPropertyName("buffer_limit")] int BufferLimit = 1,
    [property: JsonPropertyName("start_delay")] double StartDelay = 1.0);
