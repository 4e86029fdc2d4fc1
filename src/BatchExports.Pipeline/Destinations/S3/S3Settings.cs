using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>Where and how an S3-family destination writes: PostHog's S3 destination config, typed.</summary>
public sealed record S3Settings
{
    public const string EncryptionAes256 = "AES256";
    public const string EncryptionKms = "aws:kms";

    public required string BucketName { get; init; }

    public required string Region { get; init; }

    public string Prefix { get; init; } = "";

    public string? AwsAccessKeyId { get; init; }

    public string? AwsSecretAccessKey { get; init; }

    /// <summary>An S3-compatible endpoint (MinIO, R2, …); null means AWS S3 itself.</summary>
    public string? EndpointUrl { get; init; }

    public bool UseVirtualStyleAddressing { get; init; }

    /// <summary><see cref="EncryptionAes256"/>, <see cref="EncryptionKms"/> or null.</summary>
    public string? Encryption { get; init; }

    public string? KmsKeyId { get; init; }

    public bool HasExplicitCredentials => !string.IsNullOrEmpty(AwsAccessKeyId) && !string.IsNullOrEmpty(AwsSecretAccessKey);

    /// <summary>The endpoint as it may appear in messages and logs: without any user info it might carry.</summary>
    public string DisplayEndpoint
    {
        get
        {
            if (EndpointUrl is null)
            {
                return $"s3.{Region}.amazonaws.com";
            }

            return Uri.TryCreate(EndpointUrl, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
                ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString().TrimEnd('/')
                : EndpointUrl;
        }
    }

    /// <summary>Reads PostHog's snake_case destination config. Empty strings count as absent.</summary>
    /// <exception cref="ArgumentException">A required key is missing or a value has the wrong type.</exception>
    public static S3Settings FromConfig(JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var encryption = OptionalString(config, "encryption");
        if (encryption is not null && encryption != EncryptionAes256 && encryption != EncryptionKms)
        {
            throw new ArgumentException($"'{encryption}' is not a supported S3 encryption; use '{EncryptionAes256}' or '{EncryptionKms}'.", nameof(config));
        }

        return new S3Settings
        {
            BucketName = OptionalString(config, "bucket_name") ?? throw new ArgumentException("The S3 config has no 'bucket_name'.", nameof(config)),
            Region = OptionalString(config, "region") ?? "us-east-1",
            Prefix = OptionalString(config, "prefix") ?? "",
            AwsAccessKeyId = OptionalString(config, "aws_access_key_id"),
            AwsSecretAccessKey = OptionalString(config, "aws_secret_access_key"),
            EndpointUrl = OptionalString(config, "endpoint_url"),
            UseVirtualStyleAddressing = OptionalBool(config, "use_virtual_style_addressing") ?? false,
            Encryption = encryption,
            KmsKeyId = OptionalString(config, "kms_key_id"),
        };
    }

    private static string? OptionalString(JsonObject config, string key)
    {
        if (!config.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            return text.Length == 0 ? null : text;
        }

        throw new ArgumentException($"The S3 config key '{key}' must be a string.", nameof(config));
    }

    private static bool? OptionalBool(JsonObject config, string key)
    {
        if (!config.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }

        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                case JsonValueKind.String when bool.TryParse(value.GetValue<string>(), out var parsed):
                    return parsed;
            }
        }

        throw new ArgumentException($"The S3 config key '{key}' must be a boolean.", nameof(config));
    }

    // The generated ToString would print the secret key into any log line or exception message that formats us.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"BucketName = {BucketName}, Region = {Region}, Prefix = {Prefix}, ");
        builder.Append(CultureInfo.InvariantCulture, $"AwsAccessKeyId = {AwsAccessKeyId}, AwsSecretAccessKey = {(AwsSecretAccessKey is null ? "" : "***")}, ");
        builder.Append(CultureInfo.InvariantCulture, $"EndpointUrl = {(EndpointUrl is null ? "" : DisplayEndpoint)}, UseVirtualStyleAddressing = {UseVirtualStyleAddressing}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Encryption = {Encryption}, KmsKeyId = {KmsKeyId}");
        return true;
    }
}
