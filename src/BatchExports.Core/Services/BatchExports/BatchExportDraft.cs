using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>A new export's input after every save-time rule passed: the normalised values a create stores.</summary>
public sealed record BatchExportDraft(
    IDestinationDefinition Destination,
    JsonObject Config,
    string Model,
    string Interval,
    int? IntervalOffset,
    JsonObject? Schema,
    JsonArray? Filters);
