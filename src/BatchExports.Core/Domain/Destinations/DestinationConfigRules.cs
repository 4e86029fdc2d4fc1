using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>
/// PostHog's destination config validation: the generic shape rules of its destination serializer (unknown keys,
/// required keys, declared types with str→bool/int casts) and the per-type rules it applies to the merged config.
/// </summary>
public static partial class DestinationConfigRules
{
    public static readonly IReadOnlyList<string> FileFormats = ["Parquet", "JSONLines"];

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Compressions = new Dictionary<string, IReadOnlyList<string>>
    {
        ["Parquet"] = ["zstd", "lz4", "snappy", "gzip", "brotli"],
        ["JSONLines"] = ["gzip", "brotli"],
    };

    public static readonly IReadOnlyList<string> PrefixVariables =
        ["year", "month", "day", "hour", "minute", "second", "table", "data_interval_start", "data_interval_end"];

    /// <summary>
    /// Checks unknown keys, required keys (not on PATCH) and declared types; returns the config with PostHog's
    /// str→bool / str→int casts applied, or the first error message.
    /// </summary>
    public static (JsonObject Config, string? Error) CheckShape(DestinationDefinition definition, JsonObject config, bool partial)
    {
        var known = definition.Fields.Select(f => f.Name).Concat(DestinationCatalog.BaseFields.Select(f => f.Name)).ToHashSet();
        var unknown = config.Select(p => p.Key).Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            return (config, $"Configuration has unknown field/s: {string.Join(", ", unknown.Select(k => $"'{k}'"))}");
        }

        var result = (JsonObject)config.DeepClone();
        foreach (var field in definition.Fields.Concat(DestinationCatalog.BaseFields))
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

    /// <summary>
    /// The per-type rules on the merged config (PostHog's <c>validate_destination</c>), plus checks that move run-time
    /// failures to save time. Returns the normalised config or the first error.
    /// </summary>
    public static (JsonObject Config, string? Error) CheckMerged(string type, JsonObject merged, IReadOnlyList<string> allowedHttpUrls) => type switch
    {
        DestinationCatalog.S3 => CheckS3(merged),
        DestinationCatalog.Redshift => (merged, CheckRedshift(merged)),
        DestinationCatalog.Http => (merged, CheckHttp(merged, allowedHttpUrls)),
        DestinationCatalog.Postgres => (merged, CheckPostgres(merged)),
        _ => (merged, null),
    };

    /// <summary>Finds the first <c>{variable}</c> in an S3 prefix that the key template does not know.</summary>
    public static string? UnknownPrefixVariable(string prefix)
    {
        foreach (Match match in PrefixVariablePattern().Matches(prefix))
        {
            if (!PrefixVariables.Contains(match.Groups[1].Value))
            {
                return match.Groups[1].Value;
            }
        }

        return prefix.Count(c => c == '{') != prefix.Count(c => c == '}') ? "{" : null;
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

    private static (JsonObject, string?) CheckS3(JsonObject config)
    {
        var empty = new[] { "bucket_name", "region", "prefix", "aws_access_key_id", "aws_secret_access_key" }
            .Where(k => config[k] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0)
            .ToList();
        if (empty.Count > 0)
        {
            return (config, $"The following inputs are empty: {PythonList(empty)}");
        }

        var fileFormat = StringOrNull(config["file_format"]) ?? "JSONLines";
        if (!FileFormats.Contains(fileFormat))
        {
            return (config, $"File format {fileFormat} is not supported. Supported file formats are {PythonList(FileFormats)}");
        }

        if (config["compression"] is { } compressionNode && compressionNode.GetValueKind() != JsonValueKind.Null)
        {
            var compression = compressionNode.GetValueKind() == JsonValueKind.String ? compressionNode.GetValue<string>() : compressionNode.ToJsonString();
            if (!Compressions[fileFormat].Contains(compression))
            {
                return (config, $"Compression {compression} is not supported for file format {fileFormat}. Supported compressions are {PythonList(Compressions[fileFormat])}");
            }
        }

        var normalised = (JsonObject)config.DeepClone();
        if (StringOrNull(config["endpoint_url"]) is { } endpoint)
        {
            if (endpoint.Length == 0)
            {
                normalised["endpoint_url"] = null;
            }
            else if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return (config, $"Invalid endpoint_url '{endpoint}': it must be an absolute http:// or https:// URL.");
            }
        }

        if (StringOrNull(config["prefix"]) is { } prefix && UnknownPrefixVariable(prefix) is { } variable)
        {
            return (config, variable == "{"
                ? $"Invalid prefix template '{prefix}': unbalanced braces."
                : $"Invalid prefix template '{prefix}': unknown variable '{{{variable}}}'. Supported variables are: {string.Join(", ", PrefixVariables.Select(v => $"{{{v}}}"))}");
        }

        if (config["encryption"] is { } encryption && encryption.GetValueKind() != JsonValueKind.Null
            && StringOrNull(encryption) is not ("AES256" or "aws:kms"))
        {
            return (config, $"Encryption {encryption.ToJsonString()} is not supported. Supported encryptions are ['AES256', 'aws:kms']");
        }

        if (config["max_file_size_mb"] is { } maxSize && maxSize.GetValueKind() != JsonValueKind.Null
            && !(maxSize.GetValueKind() == JsonValueKind.Number && maxSize.AsValue().TryGetValue<long>(out var megabytes) && megabytes > 0))
        {
            return (config, "max_file_size_mb must be a positive whole number of megabytes.");
        }

        return (normalised, null);
    }

    private static string? CheckRedshift(JsonObject config)
    {
        var mode = StringOrNull(config["mode"]) ?? "INSERT";
        if (mode is not ("COPY" or "INSERT"))
        {
            return $"Mode {mode} is not supported. Supported modes are ['COPY', 'INSERT']";
        }

        if (StringOrNull(config["properties_data_type"]) is { } dataType && dataType.ToLowerInvariant() is not ("varchar" or "super"))
        {
            return $"Properties data type {dataType} is not supported. Supported types are ['varchar', 'super']";
        }

        if (mode != "COPY")
        {
            return null;
        }

        if (config["copy_inputs"] is not JsonObject copyInputs || copyInputs.Count == 0)
        {
            return "Missing required inputs for 'COPY'";
        }

        if (new[] { "s3_bucket", "region_name", "authorization", "bucket_credentials" }.Any(k => copyInputs[k] == null))
        {
            return "Missing required input for 'COPY'";
        }

        if (copyInputs["bucket_credentials"] is not JsonObject bucketCredentials
            || bucketCredentials["aws_access_key_id"] == null || bucketCredentials["aws_secret_access_key"] == null)
        {
            return "Missing required bucket credentials for 'COPY'";
        }

        return copyInputs["authorization"] switch
        {
            JsonObject credentials when credentials["aws_access_key_id"] == null || credentials["aws_secret_access_key"] == null =>
                "Missing required credentials for 'COPY'",
            JsonObject => null,
            JsonValue role when role.GetValueKind() == JsonValueKind.String && role.GetValue<string>().Trim().Length == 0 =>
                "Missing required IAM role for 'COPY'",
            JsonValue role when role.GetValueKind() == JsonValueKind.String => null,
            _ => "Authorization for 'COPY' must be an IAM role ARN, AWS credentials, or an integration ID.",
        };
    }

    private static string? CheckHttp(JsonObject config, IReadOnlyList<string> allowedUrls)
    {
        var url = StringOrNull(config["url"]);
        return url != null && !allowedUrls.Contains(url) ? $"Invalid destination URL: {url}" : null;
    }

    private static string? CheckPostgres(JsonObject config) =>
        config["port"] is JsonValue port && port.TryGetValue<long>(out var number) && number is < 1 or > 65535
            ? $"Invalid port {number}: it must be between 1 and 65535."
            : null;

    private static string? StringOrNull(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>Python's repr of a list of strings, as PostHog's messages print it.</summary>
    private static string PythonList(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(i => $"'{i}'")) + "]";

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex PrefixVariablePattern();
}
