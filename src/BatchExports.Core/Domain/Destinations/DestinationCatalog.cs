using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>How a config value is type-checked (PostHog checks plain declared types only; unions are not checked).</summary>
public enum ConfigValueKind
{
    String,
    Integer,
    Boolean,

    /// <summary>A union or optional type in PostHog's dataclass: any JSON value.</summary>
    Unchecked,

    /// <summary>An optional list of strings (event names): checked here, friendlier than PostHog.</summary>
    StringList,
}

/// <summary>One field of a destination's workflow inputs (PostHog's dataclass fields).</summary>
public sealed record ConfigField(string Name, ConfigValueKind Kind, bool Required = false, JsonNode? Default = null, bool Secret = false);

/// <summary>A destination type: its config fields, secrets and the Temporal workflow PostHog runs for it.</summary>
public sealed record DestinationDefinition(string Type, string WorkflowName, IReadOnlyList<ConfigField> Fields, IReadOnlyList<string>? NestedSecrets = null)
{
    /// <summary>Keys removed from every response, at any depth (PostHog's <c>secret_fields</c>).</summary>
    public IReadOnlySet<string> SecretFields { get; } =
        Fields.Where(f => f.Secret).Select(f => f.Name).Concat(NestedSecrets ?? []).ToHashSet();

    public ConfigField? Field(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>
/// The destinations we run, with PostHog's inline-credential (V2) config fields, and the ones PostHog has that we
/// refuse with a message rather than accept and never run.
/// </summary>
public static class DestinationCatalog
{
    public const string S3 = "S3";
    public const string Postgres = "Postgres";
    public const string Redshift = "Redshift";
    public const string Http = "HTTP";
    public const string NoOp = "NoOp";

    /// <summary>Fields of PostHog's <c>BaseBatchExportInputs</c>: always allowed in a config.</summary>
    public static readonly IReadOnlyList<ConfigField> BaseFields =
    [
        new("batch_export_id", ConfigValueKind.Unchecked),
        new("team_id", ConfigValueKind.Unchecked),
        new("interval", ConfigValueKind.Unchecked),
        new("timezone", ConfigValueKind.Unchecked),
        new("data_interval_end", ConfigValueKind.Unchecked),
        new("exclude_events", ConfigValueKind.StringList),
        new("include_events", ConfigValueKind.StringList),
        new("is_backfill", ConfigValueKind.Unchecked),
        new("is_earliest_backfill", ConfigValueKind.Unchecked),
        new("backfill_details", ConfigValueKind.Unchecked),
        new("batch_export_model", ConfigValueKind.Unchecked),
        new("batch_export_schema", ConfigValueKind.Unchecked),
        new("integration_id", ConfigValueKind.Unchecked),
    ];

    private static readonly IReadOnlyDictionary<string, DestinationDefinition> Supported = new[]
    {
        new DestinationDefinition(S3, "s3-export",
        [
            new("bucket_name", ConfigValueKind.String, Required: true),
            new("region", ConfigValueKind.String, Required: true),
            new("prefix", ConfigValueKind.String, Required: true),
            new("aws_access_key_id", ConfigValueKind.Unchecked, Secret: true),
            new("aws_secret_access_key", ConfigValueKind.Unchecked, Secret: true),
            new("compression", ConfigValueKind.Unchecked),
            new("encryption", ConfigValueKind.Unchecked),
            new("kms_key_id", ConfigValueKind.Unchecked),
            new("endpoint_url", ConfigValueKind.Unchecked),
            new("file_format", ConfigValueKind.String, Default: "JSONLines"),
            new("max_file_size_mb", ConfigValueKind.Unchecked),
            new("use_virtual_style_addressing", ConfigValueKind.Boolean, Default: false),
            new("legacy_parquet_extension", ConfigValueKind.Boolean, Default: false),
        ]),
        new DestinationDefinition(Postgres, "postgres-export",
        [
            new("user", ConfigValueKind.String, Required: true, Secret: true),
            new("password", ConfigValueKind.String, Required: true, Secret: true),
            new("host", ConfigValueKind.String, Required: true),
            new("database", ConfigValueKind.String, Required: true),
            new("schema", ConfigValueKind.String, Default: "public"),
            new("table_name", ConfigValueKind.String, Default: "events"),
            new("port", ConfigValueKind.Integer, Default: 5432),
            new("has_self_signed_cert", ConfigValueKind.Boolean, Default: false),
        ]),
        new DestinationDefinition(Redshift, "redshift-export",
        [
            new("user", ConfigValueKind.String, Required: true, Secret: true),
            new("password", ConfigValueKind.String, Required: true, Secret: true),
            new("host", ConfigValueKind.String, Required: true),
            new("database", ConfigValueKind.String, Required: true),
            new("schema", ConfigValueKind.String, Default: "public"),
            new("table_name", ConfigValueKind.String, Default: "events"),
            new("port", ConfigValueKind.Integer, Default: 5439),
            new("properties_data_type", ConfigValueKind.String, Default: "varchar"),
            new("mode", ConfigValueKind.Unchecked, Default: "INSERT"),
            new("copy_inputs", ConfigValueKind.Unchecked),
        ],
        // The credentials inside copy_inputs.
        NestedSecrets: ["aws_access_key_id", "aws_secret_access_key"]),
        new DestinationDefinition(Http, "http-export",
        [
            new("url", ConfigValueKind.String, Required: true),
            new("token", ConfigValueKind.String, Required: true, Secret: true),
        ]),
        new DestinationDefinition(NoOp, "no-op",
        [
            new("arg", ConfigValueKind.String, Default: ""),
        ]),
    }.ToDictionary(d => d.Type);

    /// <summary>The types we run, in the order error messages name them.</summary>
    public static readonly IReadOnlyList<string> SupportedTypes = [S3, Postgres, Redshift, Http, NoOp];

    /// <summary>PostHog destination types this server does not run (yet).</summary>
    public static readonly IReadOnlyList<string> UnsupportedPostHogTypes =
        ["AwsS3", "S3Compatible", "Snowflake", "BigQuery", "Databricks", "AzureBlob", "Workflows", "FileDownload"];

    public static DestinationDefinition? Find(string? type) => type != null && Supported.TryGetValue(type, out var definition) ? definition : null;

    public static DestinationDefinition Get(string type) =>
        Find(type) ?? throw new ArgumentException($"Unknown destination type '{type}'.", nameof(type));

    public static string SupportedTypesText => string.Join(", ", SupportedTypes.Select(t => $"'{t}'"));

    /// <summary>A copy of <paramref name="config"/> without the type's secret keys, at any depth (spec §3.2).</summary>
    public static JsonObject WithoutSecrets(string type, JsonObject config)
    {
        var secrets = Find(type)?.SecretFields ?? new HashSet<string>();
        return (JsonObject)StripSecrets(config, secrets)!;
    }

    private static JsonNode? StripSecrets(JsonNode? node, IReadOnlySet<string> secrets) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .Where(p => !secrets.Contains(p.Key))
            .Select(p => KeyValuePair.Create(p.Key, StripSecrets(p.Value, secrets)))),
        _ => node?.DeepClone(),
    };
}
