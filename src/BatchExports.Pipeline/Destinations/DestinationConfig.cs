using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations;

/// <summary>
/// Typed reads of a destination's config. A missing or mistyped value is the user's to fix, so it fails the run; the
/// message names the key, never the value, which may be a secret.
/// </summary>
internal static class DestinationConfig
{
    public static string RequiredString(JsonObject config, string key) =>
        OptionalString(config, key) ?? throw new NonRetryableExportException($"The destination config has no value for '{key}'.");

    /// <summary>The string at <paramref name="key"/>; an absent, null or empty value is null.</summary>
    public static string? OptionalString(JsonObject config, string key) => config[key] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>() is { Length: > 0 } text ? text : null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Null => null,
        _ => throw new NonRetryableExportException($"The destination config value '{key}' must be a string."),
    };

    public static int Integer(JsonObject config, string key, int defaultValue) => config[key] switch
    {
        null => defaultValue,
        JsonValue value when value.GetValueKind() == JsonValueKind.Null => defaultValue,
        JsonValue value when value.TryGetValue<int>(out var number) => number,
        JsonValue value when value.GetValueKind() == JsonValueKind.String
            && int.TryParse(value.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new NonRetryableExportException($"The destination config value '{key}' must be a whole number."),
    };

    public static bool Boolean(JsonObject config, string key, bool defaultValue) => config[key] switch
    {
        null => defaultValue,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => defaultValue,
            // Stored configs went through PostHog's str→bool cast at save time; older ones may still hold strings.
            JsonValueKind.String => value.GetValue<string>().Trim().ToLowerInvariant() is "y" or "yes" or "t" or "true" or "on" or "1",
            _ => throw new NonRetryableExportException($"The destination config value '{key}' must be true or false."),
        },
        _ => throw new NonRetryableExportException($"The destination config value '{key}' must be true or false."),
    };
}
