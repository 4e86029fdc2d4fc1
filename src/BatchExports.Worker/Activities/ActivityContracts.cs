using System.Text.Json.Serialization;
using BatchExports.Temporal;

namespace BatchExports.Worker.Activities;

/// <summary>PostHog's <c>StartBatchExportRunInputs</c>: which interval's run row to create (or find, on a retry).</summary>
public sealed record StartRunInput(
    [property: JsonPropertyName("team_id")] int TeamId,
    [property: JsonPropertyName("batch_export_id")] Guid BatchExportId,
    [property: JsonPropertyName("data_interval_start")] DateTimeOffset DataIntervalStart,
    [property: JsonPropertyName("data_interval_end")] DateTimeOffset DataIntervalEnd,
    [property: JsonPropertyName("backfill_id")] Guid? BackfillId);

/// <summary>The run the export activity executes.</summary>
public sealed record ExecuteRunInput([property: JsonPropertyName("run_id")] Guid RunId);

/// <summary>How a run ended, as the lifecycle wrote it.</summary>
public sealed record RunResult(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("records_completed")] int? RecordsCompleted,
    [property: JsonPropertyName("latest_error")] string? LatestError);

/// <summary>PostHog's <c>FinishBatchExportRunInputs</c>, for the runs a workflow ends itself (cancelled, or retries exhausted).</summary>
public sealed record FinishRunInput(
    [property: JsonPropertyName("id")] Guid RunId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("latest_error")] string? LatestError);

/// <summary>What the backfill workflow walks: the export's calendar, the first boundary, the end (null: catch up to now).</summary>
public sealed record BackfillPlan(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("start")] DateTimeOffset? Start,
    [property: JsonPropertyName("end_at")] DateTimeOffset? EndAt,
    [property: JsonPropertyName("workflow")] string Workflow,
    [property: JsonPropertyName("inputs")] ExportWorkflowInput Inputs);

/// <summary>The final status of a backfill the workflow ends.</summary>
public sealed record FinishBackfillInput(
    [property: JsonPropertyName("backfill_id")] Guid BackfillId,
    [property: JsonPropertyName("status")] string Status);
