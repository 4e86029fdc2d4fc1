using System.ComponentModel;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Domain.Schemas;
using BatchExports.Api.Json;
using BatchExports.Core.Services.BatchExports;

namespace BatchExports.Api.BatchExports;

/// <summary>
/// The body of create, PUT and PATCH. Every field is optional on the wire so that the validators can give PostHog's
/// messages ("This field is required." vs "This field may not be null.") and PATCH can tell "sent as null" from "absent".
/// </summary>
public record BatchExportWriteRequest : PresenceTracked, IBatchExportInput
{
    private HogQLParse? _hogqlQueryParse;

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

    IDestinationInput? IBatchExportInput.Destination => Destination;

    public HogQLParse? ParseHogqlQuery() => HogqlQuery is { } query ? _hogqlQueryParse ??= HogQLParse.Of(query) : null;
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

public sealed record DestinationWriteRequest : PresenceTracked, IDestinationInput
{
    private (IDestinationDefinition Definition, bool Partial, (JsonObject Config, string? Error) Result)? _shape;

    [Description("S3, Postgres, Redshift, HTTP or NoOp.")]
    public string? Type { get; init; }

    [Description("The destination's settings; see the per-type schemas.")]
    public JsonObject? Config { get; init; }

    public int? Integration { get; init; }

    [Description("Write-only alias of integration.")]
    public int? IntegrationId { get; init; }

    public (JsonObject Config, string? Error) CheckShape(IDestinationDefinition definition, bool partial)
    {
        if (_shape is { } cached && ReferenceEquals(cached.Definition, definition) && cached.Partial == partial)
        {
            return cached.Result;
        }

        var result = DestinationConfigRules.CheckShape(definition, Config!, partial);
        _shape = (definition, partial, result);
        return result;
    }

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

public sealed record UnpauseRequest
{
    [Description("Backfill the intervals missed while paused.")]
    public bool? Backfill { get; init; }
}
