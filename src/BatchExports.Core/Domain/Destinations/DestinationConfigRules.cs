using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>
/// PostHog's generic destination config validation: the shape rules of its destination serializer (unknown keys,
/// required keys, declared types with str→bool/int casts) and the recursive merge of a submitted config over the
/// stored one. The per-type rules belong to each type's <see cref="IDestinationDefinition"/>.
/// </summary>
public static class DestinationConfigRules
{
    /// <summary>Fields of PostHog's <c>BaseBatchExportInputs</c>: always allowed in a config.</summary>
    public static readonly IReadOnlyList<ConfigField> BaseFields =
    [
        new("batch_export_id", ConfigValueKind.Unchecked),
        new("team_id", ConfigValueKind.Unchecked),
        new("interval", ConfigValueKind.Unchecked),
        new("timezone", ConfigValueKind.Unchecked),
        new("data_interval_end", ConfigValueKind.Unchecked),
        new("exclude_events", ConfigValueKind.StringList, Description: "These event names are not exported."),
        new("include_events", ConfigValueKind.StringList, Description: "Only these event names are exported."),
        new("is_backfill", ConfigValueKind.Unchecked),
        new("is_earliest_backfill", ConfigValueKind.Unchecked),
        new("backfill_details", ConfigValueKind.Unchecked),
        new("batch_export_model", ConfigValueKind.Unchecked),
        new("batch_export_schema", ConfigValueKind.Unchecked),
        new("integration_id", ConfigValueKind.Unchecked),
    ];

    /// <summary>
    /// Checks unknown keys, required keys (not on PATCH) and declared types; returns the config with PostHog's
    /// str→bool / str→int casts applied, or the first error message.
    /// </summary>
    public static (JsonObject Config, string? Error) CheckShape(IDestinationDefinition definition, JsonObject config, bool partial)
    {
        var known = definition.Fields.Select(f => f.Name).Concat(BaseFields.Select(f => f.Name)).ToHashSet();
        var unknown = config.Select(p => p.Key).Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            return (config, $"Configuration has unknown field/s: {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
        }

        var result = (JsonObject)config.DeepClone();
        foreach (var field in definition.Fields.Concat(BaseFields))
        {
            if (!result.TryGetPropertyValue(field.Name, out var value))
            {
                if (field.Required && !partial)
                {
                    return (config, $"Configuration missing required field: '{field.Name}'");
                }

                continue;
            }

            var (cast, error) = CheckType(field, value);
            if (error != null)
            {
                return (config, error);
            }

            result[field.Name] = cast;
        }

        return (result, null);
    }

    /// <summary>
    /// PostHog's <c>recursive_dict_merge</c> (V3 semantics): submitted keys win, nested objects merge when both sides
    /// are objects, and an object replacing a scalar is a plain overwrite. Omitted secrets therefore survive.
    /// </summary>
    public static JsonObject Merge(JsonObject stored, JsonObject submitted)
    {
        var merged = (JsonObject)stored.DeepClone();
        foreach (var (key, value) in submitted)
        {
            merged[key] = merged[key] is JsonObject storedChild && value is JsonObject submittedChild
                ? Merge(storedChild, submittedChild)
                : value?.DeepClone();
        }

        return merged;
    }

    private static (JsonNode? Value, string? Error) CheckType(ConfigField field, JsonNode? value)
    {
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        switch (field.Kind)
        {
            case ConfigValueKind.String when kind == JsonValueKind.String:
            case ConfigValueKind.Boolean when kind is JsonValueKind.True or JsonValueKind.False:
            case ConfigValueKind.Unchecked:
                return (value?.DeepClone(), null);
            case ConfigValueKind.Integer when kind == JsonValueKind.Number && PythonTypeName(value) == "int":
                return (value!.DeepClone(), null);
            case ConfigValueKind.Integer when kind == JsonValueKind.String
                && long.TryParse(value!.GetValue<string>().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number):
                return (JsonValue.Create(number), null);
            case ConfigValueKind.Boolean when kind == JsonValueKind.String:
                return (JsonValue.Create(StrToBool(value!.GetValue<string>())), null);
            case ConfigValueKind.StringList when kind == JsonValueKind.Null
                || (kind == JsonValueKind.Array && value!.AsArray().All(e => e?.GetValueKind() == JsonValueKind.String)):
                return (value?.DeepClone(), null);
            case ConfigValueKind.StringList:
                return (null, $"Configuration has invalid type: got '{PythonTypeName(value)}', expected 'list[str] | None'");
            default:
                var expected = field.Kind switch
                {
                    ConfigValueKind.Integer => "int",
                    ConfigValueKind.Boolean => "bool",
                    _ => "str",
                };
                return (null, $"Configuration has invalid type: got '{PythonTypeName(value)}', expected '{expected}'");
        }
    }

    /// <summary>PostHog's <c>str_to_bool</c>: any string casts, to true only for the usual yes-words.</summary>
    private static bool StrToBool(string value) =>
        value.Trim().ToLowerInvariant() is "y" or "yes" or "t" or "true" or "on" or "1";

    public static string PythonTypeName(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null or JsonValueKind.Undefined => "NoneType",
        JsonValueKind.String => "str",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Object => "dict",
        JsonValueKind.Array => "list",
        _ => value.ToJsonString().IndexOfAny(['.', 'e', 'E']) >= 0 ? "float" : "int",
    };

    /// <summary>The value when <paramref name="node"/> is a JSON string, else null.</summary>
    public static string? StringOrNull(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>Python's repr of a list of strings, as PostHog's messages print it.</summary>
    public static string PythonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"'{i}'")) + "]";
}
