using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BatchExports.Core.Json;

/// <summary>
/// The wire's JSON conventions, shared by the API and anything that writes API-shaped JSON:
/// snake_case names, nulls written, UTC datetimes with <c>Z</c> and microseconds only when non-zero
/// (as Django REST framework writes them), and DRF's lenient reading of scalars.
/// </summary>
public static class WireJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip;
        options.Converters.Add(new UtcDateTimeOffsetConverter());
        options.Converters.Add(new LenientStringConverter());
        options.Converters.Add(new LenientBooleanConverter());
        options.Converters.Add(new LenientInt32Converter());
        return options;
    }

    /// <summary>DRF's datetime rendering: <c>2024-01-01T00:00:00Z</c> or <c>2024-01-01T00:00:00.123456Z</c>.</summary>
    public static string FormatDateTime(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        var micros = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        return micros == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Parses an ISO-8601 datetime as DRF does: <c>T</c> or a space between date and time, optional seconds and
    /// fraction, optional offset; a naive value is taken as UTC.
    /// </summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value, out bool hadOffset)
    {
        text = text.Trim();
        hadOffset = text.EndsWith('Z') || text.EndsWith('z') || HasNumericOffset(text);
        var styles = DateTimeStyles.AllowWhiteSpaces | (hadOffset ? DateTimeStyles.AdjustToUniversal : DateTimeStyles.AssumeUniversal);
        if (text.Length >= 10 && text.Length > 10 && (text[10] == 'T' || text[10] == 't' || text[10] == ' ')
            && DateTimeOffset.TryParse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, styles, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }

        value = default;
        return false;
    }

    private static bool HasNumericOffset(string text)
    {
        var timeStart = text.IndexOfAny(['T', 't', ' ']);
        if (timeStart < 0)
        {
            return false;
        }

        var time = text[(timeStart + 1)..];
        return time.Contains('+') || time.Contains('-');
    }
}

/// <summary>Writes DRF-style UTC datetimes; reads ISO-8601 with or without offset (naive = UTC).</summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public const string FormatMessage =
        "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && WireJson.TryParseDateTime(reader.GetString()!, out var value, out _))
        {
            return value;
        }

        throw new JsonException(FormatMessage);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(WireJson.FormatDateTime(value));
}

/// <summary>DRF's CharField: strings, and numbers taken as their text; anything else is "Not a valid string."</summary>
public sealed class LenientStringConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        _ => throw new JsonException("Not a valid string."),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>DRF's BooleanField: booleans, 0/1, and the usual words.</summary>
public sealed class LenientBooleanConverter : JsonConverter<bool>
{
    private static readonly HashSet<string> TrueWords = new(StringComparer.OrdinalIgnoreCase) { "true", "t", "yes", "y", "on", "1" };
    private static readonly HashSet<string> FalseWords = new(StringComparer.OrdinalIgnoreCase) { "false", "f", "no", "n", "off", "0" };

    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number when reader.TryGetInt32(out var number) && number is 0 or 1:
                return number == 1;
            case JsonTokenType.String when TrueWords.Contains(reader.GetString()!):
                return true;
            case JsonTokenType.String when FalseWords.Contains(reader.GetString()!):
                return false;
            default:
                throw new JsonException("Must be a valid boolean.");
        }
    }

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}

/// <summary>DRF's IntegerField: integers, and strings holding one.</summary>
public sealed class LenientInt32Converter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var real) && real == Math.Floor(real) && real is >= int.MinValue and <= int.MaxValue)
        {
            return (int)real;
        }

        if (reader.TokenType == JsonTokenType.String && int.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new JsonException("A valid integer is required.");
    }

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
