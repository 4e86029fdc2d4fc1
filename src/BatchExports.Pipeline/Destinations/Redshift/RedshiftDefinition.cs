using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline.Destinations.Postgres;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>PostHog's Redshift destination: rows into a Redshift table, by INSERT or by COPY from the user's bucket.</summary>
public sealed class RedshiftDefinition : IDestinationDefinition
{
    public const string TypeName = "Redshift";

    public const string InsertMode = "INSERT";
    public const string CopyMode = "COPY";

    public string Type => TypeName;

    public string WorkflowName => "redshift-export";

    public IReadOnlyList<ConfigField> Fields { get; } =
    [
        .. PostgresDefinition.ConnectionFields(defaultPort: 5439),
        new("properties_data_type", ConfigValueKind.String, Default: "varchar"),
        new("mode", ConfigValueKind.Unchecked, Default: InsertMode, Description: "INSERT or COPY.",
            Shape: new(ConfigFieldType.String, Choices: [InsertMode, CopyMode])),
        new("copy_inputs", ConfigValueKind.Unchecked, Shape: new(ConfigFieldType.Object, Nullable: true)),
    ];

    /// <summary>The credentials inside <c>copy_inputs</c>.</summary>
    public IReadOnlyList<string> NestedSecretKeys { get; } = ["aws_access_key_id", "aws_secret_access_key"];

    public string Description =>
        "Rows in an Amazon Redshift table, by multi-row INSERTs or by COPY from a staged S3 object; a repeated interval adds nothing twice.";

    public JsonObject ExampleConfig => new()
    {
        ["user"] = "posthog",
        ["password"] = "...",
        ["host"] = "my-cluster.abc123.us-east-1.redshift.amazonaws.com",
        ["database"] = "dev",
        ["schema"] = "public",
        ["table_name"] = "events",
        ["properties_data_type"] = "super",
        ["mode"] = InsertMode,
    };

    public DestinationConfigCheck CheckConfig(JsonObject merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        return Problem(merged) is { } error ? DestinationConfigCheck.Invalid(merged, error) : DestinationConfigCheck.Valid(merged);
    }

    private static string? Problem(JsonObject config)
    {
        var mode = DestinationConfigRules.StringOrNull(config["mode"]) ?? InsertMode;
        if (mode is not (CopyMode or InsertMode))
        {
            return $"Mode {mode} is not supported. Supported modes are ['COPY', 'INSERT']";
        }

        if (DestinationConfigRules.StringOrNull(config["properties_data_type"]) is { } dataType && dataType.ToLowerInvariant() is not ("varchar" or "super"))
        {
            return $"Properties data type {dataType} is not supported. Supported types are ['varchar', 'super']";
        }

        if (mode != CopyMode)
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
}
