using System.Text.Json.Serialization;

namespace BatchExports.Temporal;

/// <summary>
/// The one argument of <c>file-download-export</c>: the on-demand export and the run the API already created in
/// Starting (PostHog creates the run row before it starts this workflow, api spec §5.8). As for scheduled exports,
/// the destination config stays encrypted in the database and out of Temporal's history.
/// </summary>
public sealed record FileDownloadWorkflowInput(
    [property: JsonPropertyName("team_id")] int TeamId,
    [property: JsonPropertyName("batch_export_on_demand_id")] Guid OnDemandId,
    [property: JsonPropertyName("run_id")] Guid RunId,
    [property: JsonPropertyName("data_interval_start")] DateTimeOffset DataIntervalStart,
    [property: JsonPropertyName("data_interval_end")] DateTimeOffset DataIntervalEnd);
