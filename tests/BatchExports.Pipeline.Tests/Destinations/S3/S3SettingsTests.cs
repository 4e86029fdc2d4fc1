using System.Text.Json.Nodes;
using BatchExports.Pipeline.Destinations.S3;

namespace BatchExports.Pipeline.Tests.Destinations.S3;

public sealed class S3SettingsTests
{
    [Fact]
    public void Reads_PostHogs_snake_case_config()
    {
        var config = JsonNode.Parse("""
            {
              "bucket_name": "my-bucket", "region": "eu-west-1", "prefix": "exports/{year}",
              "aws_access_key_id": "AKIA", "aws_secret_access_key": "s3cr3t",
              "endpoint_url": "http://minio:9000", "use_virtual_style_addressing": true,
              "encryption": "aws:kms", "kms_key_id": "key-1", "file_format": "Parquet"
            }
            """)!.AsObject();

        var settings = S3Settings.FromConfig(config);

        Assert.Equal(
            new S3Settings
            {
                BucketName = "my-bucket",
                Region = "eu-west-1",
                Prefix = "exports/{year}",
                AwsAccessKeyId = "AKIA",
                AwsSecretAccessKey = "s3cr3t",
                EndpointUrl = "http://minio:9000",
                UseVirtualStyleAddressing = true,
                Encryption = "aws:kms",
                KmsKeyId = "key-1",
            },
            settings);
    }

    [Fact]
    public void Empty_and_null_optional_values_count_as_absent()
    {
        var config = JsonNode.Parse("""
            {"bucket_name": "b", "region": "us-east-2", "prefix": "", "endpoint_url": "", "encryption": null, "aws_access_key_id": null}
            """)!.AsObject();

        var settings = S3Settings.FromConfig(config);

        Assert.Null(settings.EndpointUrl);
        Assert.Null(settings.Encryption);
        Assert.Null(settings.AwsAccessKeyId);
        Assert.False(settings.HasExplicitCredentials);
        Assert.False(settings.UseVirtualStyleAddressing);
        Assert.Equal("", settings.Prefix);
    }

    [Theory]
    [InlineData("""{"region": "us-east-1", "prefix": ""}""")]
    [InlineData("""{"bucket_name": "b", "region": "us-east-1", "encryption": "rot13"}""")]
    [InlineData("""{"bucket_name": 5, "region": "us-east-1"}""")]
    public void Rejects_config_it_cannot_use(string json)
    {
        Assert.Throws<ArgumentException>(() => S3Settings.FromConfig(JsonNode.Parse(json)!.AsObject()));
    }

    [Fact]
    public void ToString_hides_the_secret_key()
    {
        var settings = new S3Settings { BucketName = "b", Region = "r", AwsAccessKeyId = "AKIA", AwsSecretAccessKey = "s3cr3t-value" };

        Assert.DoesNotContain("s3cr3t-value", settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("AKIA", settings.ToString(), StringComparison.Ordinal);
    }
}
