using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>PostHog's destination test step "Check S3 bucket exists": the bucket answers to these credentials.</summary>
public static class S3BucketCheck
{
    public const string Name = "Check S3 bucket exists";

    public const string Description = "Ensure the configured S3 bucket exists and that we can access it with the given credentials.";

    public static async Task<(bool Passed, string? Message)> RunAsync(S3Settings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            using var client = S3ClientFactory.Create(settings);
            try
            {
                await client.HeadBucketAsync(new HeadBucketRequest { BucketName = settings.BucketName }, cancellationToken);
                return (true, null);
            }
            catch (AmazonS3Exception head) when (head.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
            {
                // A HEAD response has no body, so S3 cannot say which of credentials, signature or policy was wrong.
                // A listing needs the same permission (s3:ListBucket) and its error names the cause.
                await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = settings.BucketName, MaxKeys = 1 }, cancellationToken);
                throw;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (false, S3ErrorClassifier.Classify(e, settings).Message);
        }
    }
}
