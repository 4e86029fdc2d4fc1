using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Schemas;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>
/// A create, PUT or PATCH of a batch export as the use cases read it. <see cref="Has"/> tells "sent as null" from
/// "not sent" (PATCH semantics, PostHog's offset rules). The Api's request record implements it.
/// </summary>
public interface IBatchExportInput
{
    string? Name { get; }

    string? Model { get; }

    IDestinationInput? Destination { get; }

    string? Interval { get; }

    bool? Paused { get; }

    DateTimeOffset? LastPausedAt { get; }

    DateTimeOffset? StartAt { get; }

    DateTimeOffset? EndAt { get; }

    string? HogqlQuery { get; }

    JsonNode? Filters { get; }

    string? Timezone { get; }

    int? OffsetDay { get; }

    int? OffsetHour { get; }

    int? TeamId { get; }

    bool Has(string wireName);

    /// <summary>
    /// <see cref="HogqlQuery"/> parsed, or null when none was sent. Parsed once per request, by whoever asks first
    /// (the request validator reports the error in field order; the save rules use the schema).
    /// </summary>
    HogQLParse? ParseHogqlQuery();
}
