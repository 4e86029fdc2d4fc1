using Amazon.S3;
using Amazon.S3.Model;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Testing;

namespace BatchExports.Pipeline.Tests.Destinations.S3;

public sealed class MultipartUploadStreamTests
{
    private const int Mib = 1024 * 1024;

    private static readonly MultipartUploadOptions SmallParts = new()
    {
        PartSize = MultipartUploadOptions.MinimumPartSize,
        RetryDelay = _ => TimeSpan.FromMilliseconds(10),
    };

    [Fact]
    public async Task A_small_object_is_one_PutObject_and_reads_back_byte_for_byte()
    {
        var (server, settings, client) = await ArrangeAsync();
        var data = RandomBytes(Mib + 17, seed: 1);

        bool written;
        await using (var stream = new MultipartUploadStream(client, settings, "exports/small.jsonl", SmallParts))
        {
            await WriteInChunksAsync(stream, data, chunkSize: 64 * 1024 + 3);
            written = await stream.CompleteAsync(CancellationToken.None);
            Assert.Null(stream.UploadId);
            Assert.Equal(data.Length, stream.BytesUploaded);
        }

        Assert.True(written);
        Assert.Equal(["exports/small.jsonl"], await server.ListKeysAsync(settings.BucketName));
        Assert.Equal(data, await server.ReadObjectAsync(settings.BucketName, "exports/small.jsonl"));
        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task An_object_of_exactly_one_part_is_still_a_single_PutObject()
    {
        var (server, settings, client) = await ArrangeAsync();
        var data = RandomBytes(SmallParts.PartSize, seed: 2);

        await using var stream = new MultipartUploadStream(client, settings, "exact", SmallParts);
        await stream.WriteAsync(data);
        Assert.True(await stream.CompleteAsync(CancellationToken.None));

        Assert.Null(stream.UploadId);
        Assert.Equal(data, await server.ReadObjectAsync(settings.BucketName, "exact"));
    }

    [Fact]
    public async Task A_large_object_goes_up_in_parts_and_reads_back_byte_for_byte()
    {
        var (server, settings, client) = await ArrangeAsync();
        var data = RandomBytes((12 * Mib) + 12345, seed: 3);

        await using var stream = new MultipartUploadStream(client, settings, "exports/large.parquet", SmallParts);
        await WriteInChunksAsync(stream, data, chunkSize: 256 * 1024 + 1);

        Assert.NotNull(stream.UploadId);
        Assert.Equal(["exports/large.parquet"], await server.ListMultipartUploadKeysAsync(settings.BucketName));
        Assert.Empty(await server.ListKeysAsync(settings.BucketName));

        Assert.True(await stream.CompleteAsync(CancellationToken.None));

        Assert.Equal(data.Length, stream.BytesUploaded);
        Assert.Equal(data, await server.ReadObjectAsync(settings.BucketName, "exports/large.parquet"));
        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task Synchronous_writes_work_too()
    {
        var (server, settings, client) = await ArrangeAsync();
        var data = RandomBytes((11 * Mib) + 1, seed: 4);

        await using var stream = new MultipartUploadStream(client, settings, "sync", SmallParts);
        for (var offset = 0; offset < data.Length; offset += 100_000)
        {
            stream.Write(data, offset, Math.Min(100_000, data.Length - offset));
        }

        Assert.True(await stream.CompleteAsync(CancellationToken.None));
        Assert.Equal(data, await server.ReadObjectAsync(settings.BucketName, "sync"));
    }

    [Fact]
    public async Task A_stream_with_nothing_written_writes_nothing()
    {
        var (server, settings, client) = await ArrangeAsync();

        await using var stream = new MultipartUploadStream(client, settings, "empty.jsonl", SmallParts);
        await stream.WriteAsync(ReadOnlyMemory<byte>.Empty);

        Assert.False(await stream.CompleteAsync(CancellationToken.None));
        Assert.Equal(0, stream.BytesUploaded);
        Assert.Empty(await server.ListKeysAsync(settings.BucketName));
        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task Disposing_without_completing_aborts_the_multipart_upload()
    {
        var (server, settings, client) = await ArrangeAsync();
        var data = RandomBytes(11 * Mib, seed: 5);

        await using (var stream = new MultipartUploadStream(client, settings, "abandoned", SmallParts))
        {
            await stream.WriteAsync(data);
            Assert.Equal(["abandoned"], await server.ListMultipartUploadKeysAsync(settings.BucketName));
        }

        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
        Assert.Empty(await server.ListKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task Synchronous_dispose_without_completing_aborts_too()
    {
        var (server, settings, client) = await ArrangeAsync();

        using (var stream = new MultipartUploadStream(client, settings, "abandoned-sync", SmallParts))
        {
            stream.Write(RandomBytes(6 * Mib, seed: 6));
            Assert.Single(await server.ListMultipartUploadKeysAsync(settings.BucketName));
        }

        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
        Assert.Empty(await server.ListKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task Writing_the_same_key_twice_leaves_one_object_with_the_second_content()
    {
        var (server, settings, client) = await ArrangeAsync();
        var first = RandomBytes((11 * Mib) + 5, seed: 7);
        var second = RandomBytes(3 * Mib, seed: 8);

        foreach (var content in new[] { first, second })
        {
            await using var stream = new MultipartUploadStream(client, settings, "exports/same-key.jsonl", SmallParts);
            await stream.WriteAsync(content);
            Assert.True(await stream.CompleteAsync(CancellationToken.None));
        }

        Assert.Equal(["exports/same-key.jsonl"], await server.ListKeysAsync(settings.BucketName));
        Assert.Equal(second, await server.ReadObjectAsync(settings.BucketName, "exports/same-key.jsonl"));
    }

    [Fact]
    public async Task Server_side_encryption_is_requested_for_single_and_multipart_objects()
    {
        var (server, settings, _) = await ArrangeAsync();
        settings = settings with { Encryption = S3Settings.EncryptionKms, KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/test" };
        using var client = S3ClientFactory.Create(settings);

        foreach (var (key, size) in new[] { ("sse-single", Mib), ("sse-multi", 6 * Mib) })
        {
            await using var stream = new MultipartUploadStream(client, settings, key, SmallParts);
            await stream.WriteAsync(RandomBytes(size, seed: 9));
            Assert.True(await stream.CompleteAsync(CancellationToken.None));

            using var reader = server.CreateClient();
            var metadata = await reader.GetObjectMetadataAsync(settings.BucketName, key);
            Assert.Equal(ServerSideEncryptionMethod.AWSKMS, metadata.ServerSideEncryptionMethod);
            Assert.Equal(settings.KmsKeyId, metadata.ServerSideEncryptionKeyManagementServiceKeyId);
        }
    }

    [Fact]
    public async Task A_part_that_times_out_is_retried_with_the_injected_backoff()
    {
        var (server, settings, client) = await ArrangeAsync();
        var data = RandomBytes((6 * Mib) + 1, seed: 10);
        var delays = new List<int>();
        var options = SmallParts with
        {
            RetryDelay = attempt =>
            {
                lock (delays)
                {
                    delays.Add(attempt);
                }

                return TimeSpan.FromMilliseconds(10);
            },
        };
        await server.InjectFaultAsync(settings.BucketName, "UploadPart", "RequestTimeout", count: 2);

        // The SDK retries RequestTimeout itself; with its retries off, every fault reaches the stream's own loop.
        using var noSdkRetries = server.CreateClient();
        await using var stream = new MultipartUploadStream(noSdkRetries, settings, "retried", options with { MaxConcurrentUploads = 1 });
        await stream.WriteAsync(data);
        Assert.True(await stream.CompleteAsync(CancellationToken.None));

        Assert.Equal([1, 2], delays);
        Assert.Equal(data, await server.ReadObjectAsync(settings.BucketName, "retried"));
    }

    [Fact]
    public async Task A_part_that_keeps_failing_fails_the_upload_retryably_and_aborts_it()
    {
        var (server, settings, _) = await ArrangeAsync();
        await server.InjectFaultAsync(settings.BucketName, "UploadPart", "RequestTimeout", count: 100);

        using var noSdkRetries = server.CreateClient();
        await using var stream = new MultipartUploadStream(noSdkRetries, settings, "doomed", SmallParts with { MaxConcurrentUploads = 1 });
        await stream.WriteAsync(RandomBytes((5 * Mib) + 1, seed: 11));
        var error = await Assert.ThrowsAsync<S3PartUploadFailedException>(() => stream.CompleteAsync(CancellationToken.None));

        Assert.Equal(SmallParts.MaxAttempts, error.Attempts);
        var failure = S3ErrorClassifier.Classify(error, settings);
        Assert.True(failure.Retryable);
        Assert.StartsWith("Uploading part 1 of 'doomed' failed after 5 attempts: S3 is temporarily unable to serve the request: RequestTimeout", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
        Assert.Empty(await server.ListKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task A_rejected_part_is_not_retried()
    {
        var (server, settings, client) = await ArrangeAsync();
        var delays = 0;
        await server.InjectFaultAsync(settings.BucketName, "UploadPart", "AccessDenied");

        await using var stream = new MultipartUploadStream(client, settings, "denied", SmallParts with { RetryDelay = _ => TimeSpan.FromMilliseconds(++delays) });
        await stream.WriteAsync(RandomBytes((5 * Mib) + 1, seed: 12));
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => stream.CompleteAsync(CancellationToken.None));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(0, delays);
        Assert.Empty(await server.ListMultipartUploadKeysAsync(settings.BucketName));
    }

    [Fact]
    public async Task Writing_after_completion_is_refused()
    {
        var (_, settings, client) = await ArrangeAsync();

        await using var stream = new MultipartUploadStream(client, settings, "done", SmallParts);
        await stream.WriteAsync(new byte[] { 1, 2, 3 });
        Assert.True(await stream.CompleteAsync(CancellationToken.None));

        Assert.False(stream.CanWrite);
        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.WriteAsync(new byte[] { 4 }).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => stream.CompleteAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Parts_smaller_than_S3s_minimum_are_refused()
    {
        var (_, settings, client) = await ArrangeAsync();

        Assert.Throws<ArgumentOutOfRangeException>(() => new MultipartUploadStream(client, settings, "k", new MultipartUploadOptions { PartSize = Mib }));
    }

    private static async Task<(S3TestServer Server, S3Settings Settings, IAmazonS3 Client)> ArrangeAsync()
    {
        var server = await S3TestServer.GetAsync();
        var settings = server.Settings(await server.CreateBucketAsync());
        return (server, settings, S3ClientFactory.Create(settings));
    }

    private static async Task WriteInChunksAsync(Stream stream, byte[] data, int chunkSize)
    {
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(chunkSize, data.Length - offset)));
        }
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
