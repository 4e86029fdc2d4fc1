using System.Net;
using System.Net.Sockets;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Testing;

namespace BatchExports.Pipeline.Tests.Destinations.S3;

/// <summary>Real failures from the real test server, classified.</summary>
public sealed class S3ErrorClassifierTests
{
    [Fact]
    public async Task A_wrong_secret_key_is_a_non_retryable_credentials_failure_without_the_secret()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync()) with { AwsSecretAccessKey = "not-the-secret-3f9a" };

        var failure = S3ErrorClassifier.Classify(await UploadFailureAsync(settings), settings);

        Assert.False(failure.Retryable);
        Assert.Equal("The S3 credentials were rejected: SignatureDoesNotMatch", failure.Message);
        Assert.DoesNotContain("not-the-secret-3f9a", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_access_key_is_a_non_retryable_credentials_failure()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync()) with { AwsAccessKeyId = "AKIANOSUCHKEY", AwsSecretAccessKey = "whatever-secret" };

        var failure = S3ErrorClassifier.Classify(await UploadFailureAsync(settings), settings);

        Assert.False(failure.Retryable);
        Assert.Equal("The S3 credentials were rejected: InvalidAccessKeyId", failure.Message);
        Assert.DoesNotContain("whatever-secret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bucket_is_a_non_retryable_failure_that_names_it()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(S3TestServer.UniqueBucketName("missing"));

        var failure = S3ErrorClassifier.Classify(await UploadFailureAsync(settings), settings);

        Assert.False(failure.Retryable);
        Assert.Equal($"The bucket '{settings.BucketName}' does not exist", failure.Message);
    }

    [Fact]
    public async Task A_closed_port_is_a_non_retryable_connect_failure()
    {
        var server = await S3TestServer.GetAsync();
        var endpoint = $"http://127.0.0.1:{ClosedPort()}";
        var settings = server.Settings("some-bucket") with { EndpointUrl = endpoint };

        var failure = S3ErrorClassifier.Classify(await UploadFailureAsync(settings), settings);

        Assert.False(failure.Retryable);
        Assert.Equal($"Could not connect to the S3 endpoint '{endpoint}'", failure.Message);
    }

    [Fact]
    public async Task Server_errors_and_throttling_are_retryable()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync());
        await server.InjectFaultAsync(settings.BucketName, "PutObject", "InternalError", count: 100);

        var failure = S3ErrorClassifier.Classify(await UploadFailureAsync(settings), settings);

        Assert.True(failure.Retryable);
        Assert.Equal("Uploading 'probe.jsonl' failed after 1 attempts: S3 is temporarily unable to serve the request: InternalError: Injected InternalError for PutObject (test fault).", failure.Message);
    }

    [Fact]
    public async Task An_invalid_bucket_name_is_a_non_retryable_failure()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings("Not_A_Valid_Bucket");

        var failure = S3ErrorClassifier.Classify(await UploadFailureAsync(settings), settings);

        Assert.False(failure.Retryable);
    }

    [Fact]
    public void Messages_never_show_credentials_embedded_in_the_endpoint()
    {
        var settings = new S3Settings { BucketName = "b", Region = "us-east-1", EndpointUrl = "http://user:hunter2@127.0.0.1:1" };
        var failure = S3ErrorClassifier.Classify(new HttpRequestException(HttpRequestError.ConnectionError, "refused"), settings);

        Assert.DoesNotContain("hunter2", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", settings.ToString(), StringComparison.Ordinal);
    }

    private static async Task<Exception> UploadFailureAsync(S3Settings settings)
    {
        using var client = S3ClientFactory.Create(settings);
        await using var stream = new MultipartUploadStream(client, settings, "probe.jsonl", new MultipartUploadOptions { MaxAttempts = 1 });
        await stream.WriteAsync("{\"event\":\"probe\"}\n"u8.ToArray());
        return await Assert.ThrowsAnyAsync<Exception>(() => stream.CompleteAsync(CancellationToken.None));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
