using Amazon.S3;
using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>
/// An interval's files under its S3 prefix: one multipart upload per file, completed only when the file is whole
/// (an upload disposed before that is aborted). Keys are PostHog's, numbered from 0 when files rotate by size.
/// </summary>
internal sealed class S3FileTarget(
    IAmazonS3 client, S3Settings settings, string prefix, DateTimeOffset? start, DateTimeOffset end, string extension, bool numbered,
    MultipartUploadOptions? uploadOptions) : IRecordFileTarget
{
    private readonly List<string> _keys = [];

    /// <summary>The completed files' keys, in upload order (what the manifest lists).</summary>
    public IReadOnlyList<string> Keys => _keys;

    public long BytesUploaded { get; private set; }

    public Task<Stream> OpenAsync(int fileNumber, CancellationToken cancellationToken)
    {
        var key = S3ObjectKeys.Join(prefix, S3ObjectKeys.FileName(start, end, numbered ? fileNumber : null, extension));
        return Task.FromResult<Stream>(new MultipartUploadStream(client, settings, key, uploadOptions));
    }

    public async Task CompleteAsync(Stream file, CancellationToken cancellationToken)
    {
        var upload = (MultipartUploadStream)file;
        await upload.CompleteAsync(cancellationToken);
        _keys.Add(upload.Key);
        BytesUploaded += upload.BytesUploaded;
    }
}
