using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>PostHog's S3 destination (inline credentials, V2), with <c>endpoint_url</c> for S3-compatible stores.</summary>
public sealed partial class S3Definition : IDestinationDefinition
{
    public const string TypeName = "S3";

    /// <summary>PostHog's current key rule: Parquet keys carry the codec suffix only when this is true.</summary>
    public const string LegacyParquetExtensionKey = "legacy_parquet_extension";

    /// <summary>The variables an object-key prefix may use (<see cref="S3ObjectKeys.FormatPrefix"/> fills them in).</summary>
    public static readonly IReadOnlyList<string> PrefixVariables =
        ["year", "month", "day", "hour", "minute", "second", "table", "data_interval_start", "data_interval_end"];

    private static readonly string[] NonEmptyInputs = ["bucket_name", "region", "prefix", "aws_access_key_id", "aws_secret_access_key"];

    private static readonly ConfigFieldShape NullableString = new(ConfigFieldType.String, Nullable: true);

    public string Type => TypeName;

    public string WorkflowName => "s3-export";

    public IReadOnlyList<ConfigField> Fields { get; } =
    [
        new("bucket_name", ConfigValueKind.String, Required: true),
        new("region", ConfigValueKind.String, Required: true),
        new("prefix", ConfigValueKind.String, Required: true,
            Description: "Key prefix; may use {year}, {month}, {day}, {hour}, {minute}, {second}, {table}, {data_interval_start}, {data_interval_end}."),
        new("aws_access_key_id", ConfigValueKind.Unchecked, Secret: true, Shape: new(ConfigFieldType.String)),
        new("aws_secret_access_key", ConfigValueKind.Unchecked, Secret: true, Shape: new(ConfigFieldType.String)),
        FileDestinationRules.CompressionField,
        new("encryption", ConfigValueKind.Unchecked, Shape: NullableString),
        new("kms_key_id", ConfigValueKind.Unchecked, Shape: NullableString),
        new("endpoint_url", ConfigValueKind.Unchecked, Shape: NullableString,
            Description: "For S3-compatible stores (MinIO, R2, …); path-style unless use_virtual_style_addressing."),
        FileDestinationRules.FileFormatField,
        FileDestinationRules.MaxFileSizeMbField,
        new("use_virtual_style_addressing", ConfigValueKind.Boolean, Default: false),
        new(LegacyParquetExtensionKey, ConfigValueKind.Boolean, Default: false,
            Description: "Parquet keys keep the codec suffix (.parquet.zst) when true; new exports write .parquet."),
    ];

    public string Description =>
        "Files (JSONLines or Parquet, optionally compressed) in an S3 bucket or an S3-compatible store, one per interval, rotated at max_file_size_mb.";

    public JsonObject ExampleConfig => new()
    {
        ["bucket_name"] = "my-bucket",
        ["region"] = "us-east-1",
        ["prefix"] = "posthog/{year}/{month}/{day}/",
        ["aws_access_key_id"] = "AKIA...",
        ["aws_secret_access_key"] = "...",
        ["file_format"] = FileFormats.Parquet,
        ["compression"] = FileFormats.Zstd,
    };

    public DestinationConfigCheck CheckConfig(JsonObject merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var empty = NonEmptyInputs
            .Where(k => merged[k] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0)
            .ToList();
        if (empty.Count > 0)
        {
            return DestinationConfigCheck.Invalid(merged, $"The following inputs are empty: {DestinationConfigRules.PythonList(empty)}");
        }

        if (FileDestinationRules.FormatError(merged) is { } formatError)
        {
            return DestinationConfigCheck.Invalid(merged, formatError);
        }

        var normalised = (JsonObject)merged.DeepClone();
        if (DestinationConfigRules.StringOrNull(merged["endpoint_url"]) is { } endpoint)
        {
            if (endpoint.Length == 0)
            {
                normalised["endpoint_url"] = null;
            }
            else if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return DestinationConfigCheck.Invalid(merged, $"Invalid endpoint_url '{endpoint}': it must be an absolute http:// or https:// URL.");
            }
        }

        if (DestinationConfigRules.StringOrNull(merged["prefix"]) is { } prefix && UnknownPrefixVariable(prefix) is { } variable)
        {
            return DestinationConfigCheck.Invalid(merged, variable == "{"
                ? $"Invalid prefix template '{prefix}': unbalanced braces."
                : $"Invalid prefix template '{prefix}': unknown variable '{{{variable}}}'. Supported variables are: {string.Join(", ", PrefixVariables.Select(v => $"{{{v}}}"))}");
        }

        if (merged["encryption"] is { } encryption && encryption.GetValueKind() != JsonValueKind.Null
            && DestinationConfigRules.StringOrNull(encryption) is not (S3Settings.EncryptionAes256 or S3Settings.EncryptionKms))
        {
            return DestinationConfigCheck.Invalid(merged, $"Encryption {encryption.ToJsonString()} is not supported. Supported encryptions are ['AES256', 'aws:kms']");
        }

        return FileDestinationRules.MaxFileSizeError(merged) is { } sizeError
            ? DestinationConfigCheck.Invalid(merged, sizeError)
            : DestinationConfigCheck.Valid(normalised);
    }

    /// <summary>Finds the first <c>{variable}</c> in an S3 prefix that the key template does not know ("{" for unbalanced braces).</summary>
    public static string? UnknownPrefixVariable(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (Match match in PrefixVariablePattern().Matches(prefix))
        {
            if (!PrefixVariables.Contains(match.Groups[1].Value))
            {
                return match.Groups[1].Value;
            }
        }

        return prefix.Count(c => c == '{') != prefix.Count(c => c == '}') ? "{" : null;
    }

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex PrefixVariablePattern();
}
