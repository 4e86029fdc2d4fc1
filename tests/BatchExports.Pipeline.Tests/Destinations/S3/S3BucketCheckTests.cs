using System.Net;
using System.Net.Sockets;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Testing;

namespace BatchExports.Pipeline.Tests.Destinations.S3;

public sealed class S3BucketCheckTests
{
    [Fact]
    public async Task Passes_for_an_existing_bucket_with_good_credentials()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync());

        var (passed, message) = await S3BucketCheck.RunAsync(settings, CancellationToken.None);

        Assert.True(passed);
        Assert.Null(message);
    }

    [Fact]
    public async Task Fails_for_a_missing_bucket_naming_it()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(S3TestServer.UniqueBucketName("missing"));

        var (passed, message) = await S3BucketCheck.RunAsync(settings, CancellationToken.None);

        Assert.False(passed);
        Assert.Equal($"The bucket '{settings.BucketName}' does not exist", message);
    }

    [Fact]
    public async Task Fails_for_a_wrong_secret_key_without_showing_it()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync()) with { AwsSecretAccessKey = "wrong-secret-77c1" };

        var (passed, message) = await S3BucketCheck.RunAsync(settings, CancellationToken.None);

        Assert.False(passed);
        Assert.Equal("The S3 credentials were rejected: SignatureDoesNotMatch", message);
        Assert.DoesNotContain("wrong-secret-77c1", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_for_an_unknown_access_key()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync()) with { AwsAccessKeyId = "AKIANOSUCHKEY" };

        var (passed, message) = await S3BucketCheck.RunAsync(settings, CancellationToken.None);

        Assert.False(passed);
        Assert.Equal("The S3 credentials were rejected: InvalidAccessKeyId", message);
    }

    [Fact]
    public async Task Fails_for_an_unreachable_endpoint()
    {
        var server = await S3TestServer.GetAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        var settings = server.Settings("some-bucket") with { EndpointUrl = endpoint };

        var (passed, message) = await S3BucketCheck.RunAsync(settings, CancellationToken.None);

        Assert.False(passed);
        Assert.Equal($"Could not connect to the S3 endpoint '{endpoint}'", message);
    }
}
