using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Schemas;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// What an export selects from its model, whatever the interval: the team, property filters, the include/exclude
/// event lists of its destination config and its custom schema. Built once per run (and per backfill estimate), so
/// the destination config's event lists are read in this one place.
/// </summary>
public sealed record ExportSelection(
    int TeamId,
    string Model,
    JsonArray? Filters,
    IReadOnlyList<string> IncludeEvents,
    IReadOnlyList<string> ExcludeEvents,
    CustomSchema? Schema)
{
    public static ExportSelection Of(BatchExport export, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(export);
        ArgumentNullException.ThrowIfNull(config);
        return new ExportSelection(
            export.TeamId,
            export.Model,
            export.Filters,
            StringList(config["include_events"]),
            StringList(config["exclude_events"]),
            CustomSchema.FromJson(export.Schema));
    }

    /// <summary>The strings of a JSON array; anything else (absent, null, not an array) selects no events by name.</summary>
    private static IReadOnlyList<string> StringList(JsonNode? node) =>
        node is JsonArray array ? array.Where(e => e?.GetValueKind() == JsonValueKind.String).Select(e => e!.GetValue<string>()).ToList() : [];
}
