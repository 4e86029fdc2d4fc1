using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>Builds the S3 client for a destination: AWS itself, or an S3-compatible endpoint.</summary>
public static class S3ClientFactory
{
    public const int SdkRetries = 3;

    public static IAmazonS3 Create(S3Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new AmazonS3Config
        {
            MaxErrorRetry = SdkRetries,
            RetryMode = RequestRetryMode.Standard,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Per HTTP request; a 50 MiB part on a slow link still fits.
            Timeout = TimeSpan.FromMinutes(5),
        };

        if (settings.EndpointUrl is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = settings.Region;
            config.ForcePathStyle = !settings.UseVirtualStyleAddressing;
            // SDK v4 adds CRC checksums to every upload by default, sent as aws-chunked trailers; many S3-compatible
            // servers (s3rver among them) neither decode aws-chunked bodies nor know the trailer headers.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.Region);
        }

        return settings.HasExplicitCredentials
            ? new AmazonS3Client(new BasicAWSCredentials(settings.AwsAccessKeyId, settings.AwsSecretAccessKey), config)
            : new AmazonS3Client(config);
    }

    /// <summary>Whether uploads may use aws-chunked signed bodies: only AWS S3 itself is known to decode them.</summary>
    public static bool UseChunkEncoding(S3Settings settings) => settings.EndpointUrl is null;
}
