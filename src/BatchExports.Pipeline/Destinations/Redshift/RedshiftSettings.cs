using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.Redshift;

/// <summary>The Redshift-specific part of the config: how JSON is stored and how rows are loaded.</summary>
public sealed record RedshiftSettings(bool UseSuper, RedshiftCopyInputs? Copy)
{
    public static RedshiftSettings FromConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        // As PostHog: "varchar" (the default) keeps JSON as text; anything else is SUPER.
        var dataType = DestinationConfig.OptionalString(config, "properties_data_type") ?? "varchar";
        var useSuper = !string.Equals(dataType, "varchar", StringComparison.OrdinalIgnoreCase);
        var mode = DestinationConfig.OptionalString(config, "mode") ?? RedshiftDefinition.InsertMode;
        return mode.ToUpperInvariant() switch
        {
            RedshiftDefinition.InsertMode => new RedshiftSettings(useSuper, null),
            RedshiftDefinition.CopyMode when config["copy_inputs"] is JsonObject copyInputs && copyInputs.Count > 0 => new RedshiftSettings(useSuper, RedshiftCopyInputs.FromConfig(copyInputs)),
            RedshiftDefinition.CopyMode => throw new NonRetryableExportException("Redshift COPY mode needs 'copy_inputs' (s3_bucket, region_name, authorization, bucket_credentials)."),
            _ => throw new NonRetryableExportException($"Mode {mode} is not supported. Supported modes are ['COPY', 'INSERT']"),
        };
    }
}

/// <summary>How Redshift authenticates to S3 for COPY: an IAM role ARN (or <c>default</c>), or an access key pair.</summary>
public sealed record RedshiftAuthorization(string? IamRole, string? AccessKeyId, string? SecretAccessKey)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"IamRole = {IamRole}, AccessKeyId = {AccessKeyId}, SecretAccessKey = {(SecretAccessKey is null ? "" : "***")}");
        return true;
    }
}

/// <summary>PostHog's <c>copy_inputs</c>: the bucket the interval is staged in, its credentials, and Redshift's authorization.</summary>
public sealed record RedshiftCopyInputs(string Bucket, string Region, string KeyPrefix, string BucketAccessKeyId, string BucketSecretAccessKey, RedshiftAuthorization Authorization)
{
    public static RedshiftCopyInputs FromConfig(JsonObject copyInputs)
    {
        ArgumentNullException.ThrowIfNull(copyInputs);
        var bucket = DestinationConfig.RequiredString(copyInputs, "s3_bucket");
        var region = DestinationConfig.RequiredString(copyInputs, "region_name");
        var prefix = DestinationConfig.OptionalString(copyInputs, "s3_key_prefix") ?? "/";
        if (copyInputs["bucket_credentials"] is not JsonObject bucketCredentials)
        {
            throw new NonRetryableExportException(
                "Redshift COPY mode needs 'bucket_credentials' with 'aws_access_key_id' and 'aws_secret_access_key'; integrations are not supported here.");
        }

        var authorization = copyInputs["authorization"] switch
        {
            JsonValue role when role.GetValueKind() == JsonValueKind.String && role.GetValue<string>().Trim().Length > 0 =>
                new RedshiftAuthorization(role.GetValue<string>().Trim(), null, null),
            JsonObject keys => new RedshiftAuthorization(
                null, DestinationConfig.RequiredString(keys, "aws_access_key_id"), DestinationConfig.RequiredString(keys, "aws_secret_access_key")),
            _ => throw new NonRetryableExportException(
                "Redshift COPY mode needs an 'authorization': an IAM role ARN, or 'aws_access_key_id' and 'aws_secret_access_key'; integrations are not supported here."),
        };
        return new RedshiftCopyInputs(
            bucket,
            region,
            prefix,
            DestinationConfig.RequiredString(bucketCredentials, "aws_access_key_id"),
            DestinationConfig.RequiredString(bucketCredentials, "aws_secret_access_key"),
            authorization);
    }

    public S3Settings BucketSettings => new()
    {
        BucketName = Bucket,
        Region = Region,
        AwsAccessKeyId = BucketAccessKeyId,
        AwsSecretAccessKey = BucketSecretAccessKey,
    };

    /// <summary>The staged object of one attempt: <c>{prefix}/{table}_{start}_{end}_{run}_{attempt}.jsonl.gz</c>, unique per attempt.</summary>
    public string ObjectKey(RunContext context, string table)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = context.Interval.Bounds.Start.UtcDateTime;
        var end = context.Interval.End.UtcDateTime;
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{table}_{start:yyyy-MM-ddTHH-mm-ss}_{end:yyyy-MM-ddTHH-mm-ss}_{context.Run.Id:N}_{context.Run.Attempt}.jsonl.gz");
        var prefix = KeyPrefix.Trim('/');
        return prefix.Length == 0 ? name : $"{prefix}/{name}";
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Bucket = {Bucket}, Region = {Region}, KeyPrefix = {KeyPrefix}, ");
        builder.Append(CultureInfo.InvariantCulture, $"BucketAccessKeyId = {BucketAccessKeyId}, BucketSecretAccessKey = ***, Authorization = {Authorization}");
        return true;
    }
}
