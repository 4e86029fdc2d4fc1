using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Filters;

/// <summary>
/// The property filters an events export may carry (PostHog's <c>{"key","type","operator","value"}</c>) and that the
/// source applies in SQL: <c>event</c> filters on the event's properties, <c>person</c> filters on the person
/// properties stored with it.
/// </summary>
public static class PropertyFilterRules
{
    public const string Exact = "exact";
    public const string IsNot = "is_not";
    public const string IContains = "icontains";
    public const string NotIContains = "not_icontains";
    public const string Regex = "regex";
    public const string NotRegex = "not_regex";
    public const string IsSet = "is_set";
    public const string IsNotSet = "is_not_set";
    public const string GreaterThan = "gt";
    public const string GreaterThanOrEqual = "gte";
    public const string LessThan = "lt";
    public const string LessThanOrEqual = "lte";

    public static readonly IReadOnlyList<string> Operators =
        [Exact, IsNot, IContains, NotIContains, Regex, NotRegex, IsSet, IsNotSet, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual];

    /// <summary>The first problem with a filter whose <c>type</c> is already known to be event/person/hogql, or null.</summary>
    public static string? Check(JsonObject filter)
    {
        var type = filter["type"]!.GetValue<string>();
        if (type == "hogql")
        {
            return "Filters of type 'hogql' are not supported by this server yet; use 'event' or 'person' property filters.";
        }

        if (filter["key"] is not JsonValue key || key.GetValueKind() != JsonValueKind.String || key.GetValue<string>().Length == 0)
        {
            return $"Each '{type}' filter must have a 'key' naming the property to filter on.";
        }

        var @operator = OperatorOf(filter);
        if (@operator == null || !Operators.Contains(@operator))
        {
            return $"Operator '{filter["operator"]?.ToJsonString().Trim('"')}' is not supported. Supported operators are: {string.Join(", ", Operators.Select(o => $"'{o}'"))}";
        }

        if (@operator is IsSet or IsNotSet)
        {
            return null;
        }

        var value = filter["value"];
        if (value == null || value.GetValueKind() == JsonValueKind.Null || (value is JsonArray { Count: 0 }))
        {
            return $"Operator '{@operator}' needs a 'value'.";
        }

        if (@operator is GreaterThan or GreaterThanOrEqual or LessThan or LessThanOrEqual && ToNumber(value) == null)
        {
            return $"Operator '{@operator}' needs a numeric 'value'.";
        }

        if (@operator is Regex or NotRegex && !IsScalar(value))
        {
            return $"Operator '{@operator}' needs a single pattern as 'value'.";
        }

        return null;
    }

    /// <summary>PostHog's default operator is <c>exact</c>.</summary>
    public static string? OperatorOf(JsonObject filter) => filter["operator"] switch
    {
        null => Exact,
        JsonValue value when value.GetValueKind() == JsonValueKind.Null => Exact,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => null,
    };

    /// <summary>A finite number, or null: "Infinity", "NaN" and numbers beyond a double cannot be compared with in SQL.</summary>
    public static double? ToNumber(JsonNode? value) => value?.GetValueKind() switch
    {
        JsonValueKind.Number when value.AsValue().TryGetValue(out double number) && double.IsFinite(number) => number,
        JsonValueKind.String when double.TryParse(value.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) => parsed,
        _ => null,
    };

    /// <summary>Filter values as the strings PostHog compares with: a list for exact/is_not, else one value.</summary>
    public static IReadOnlyList<string> ValuesOf(JsonNode? value) => value switch
    {
        JsonArray array => array.Select(ScalarText).ToList(),
        _ => [ScalarText(value)],
    };

    private static bool IsScalar(JsonNode value) => value is JsonValue;

    private static string ScalarText(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        null or JsonValueKind.Null => "",
        _ => node.ToJsonString(),
    };
}
