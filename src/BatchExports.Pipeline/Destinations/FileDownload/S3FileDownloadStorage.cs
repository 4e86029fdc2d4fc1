using Amazon.S3;
using Amazon.S3.Model;
using BatchExports.Pipeline.Destinations.S3;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// Downloads in the configured bucket, uploaded with S3's multipart stream (an unfinished file is aborted, never
/// visible) and served by pre-signed GET URLs that make the browser save the file under its own name.
/// </summary>
public sealed class S3FileDownloadStorage : IFileDownloadStorage, IDisposable
{
    private readonly S3Settings _settings;
    private readonly MultipartUploadOptions? _uploadOptions;
    private readonly IAmazonS3 _client;

    public S3FileDownloadStorage(FileDownloadOptions options, MultipartUploadOptions? uploadOptions)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = new S3Settings
        {
            BucketName = options.BucketName!,
            Region = options.Region,
            Prefix = options.Prefix,
            EndpointUrl = string.IsNullOrWhiteSpace(options.EndpointUrl) ? null : options.EndpointUrl,
            AwsAccessKeyId = options.AccessKeyId,
            AwsSecretAccessKey = options.SecretAccessKey,
            UseVirtualStyleAddressing = options.UseVirtualStyleAddressing,
        };
        _uploadOptions = uploadOptions;
        _client = S3ClientFactory.Create(_settings);
    }

    public async Task ClearAsync(string runPrefix, CancellationToken cancellationToken)
    {
        var listing = await _client.ListObjectsV2Async(
            new ListObjectsV2Request { BucketName = _settings.BucketName, Prefix = ObjectKey(runPrefix) }, cancellationToken);
        foreach (var stale in listing.S3Objects ?? [])
        {
            await _client.DeleteObjectAsync(_settings.BucketName, stale.Key, cancellationToken);
        }
    }

    public IFileUpload Create(string key) => new S3Upload(key, new MultipartUploadStream(_client, _settings, ObjectKey(key), _uploadOptions));

    public async Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        await _client.DeleteObjectAsync(_settings.BucketName, ObjectKey(key), cancellationToken);

    public FileDownloadLocation Locate(string key, TimeSpan validFor)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _settings.BucketName,
            Key = ObjectKey(key),
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + validFor,
            Protocol = _settings.EndpointUrl is { } endpoint && endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS,
        };
        request.ResponseHeaderOverrides.ContentDisposition = $"attachment; filename=\"{FileDownloadKeys.FileName(key)}\"";
        request.ResponseHeaderOverrides.ContentType = FileDownloadKeys.ContentType(key);
        return new FileDownloadLocation(null, new Uri(_client.GetPreSignedURL(request)));
    }

    public void Dispose() => _client.Dispose();

    private string ObjectKey(string key) => S3ObjectKeys.Join(_settings.Prefix, key);

    private sealed class S3Upload(string key, MultipartUploadStream upload) : IFileUpload
    {
        public string Key { get; } = key;

        public Stream Output => upload;

        public async Task<long> CompleteAsync(CancellationToken cancellationToken)
        {
            await upload.CompleteAsync(cancellationToken);
            return upload.BytesUploaded;
        }

        public ValueTask DisposeAsync() => upload.DisposeAsync();
    }
}
