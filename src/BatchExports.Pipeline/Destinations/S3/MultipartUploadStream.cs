using System.Collections.Concurrent;
using Amazon.S3;
using Amazon.S3.Model;

namespace BatchExports.Pipeline.Destinations.S3;

/// <summary>How <see cref="MultipartUploadStream"/> cuts and sends an object.</summary>
public sealed record MultipartUploadOptions
{
    /// <summary>S3 rejects smaller parts, except the last one.</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>S3's limit on parts per multipart upload.</summary>
    public const int MaximumParts = 10_000;

    public const int DefaultPartSize = 10 * 1024 * 1024;

    /// <summary>Bytes per part; memory use is about <c>PartSize × (MaxConcurrentUploads + 1)</c>.</summary>
    public int PartSize { get; init; } = DefaultPartSize;

    public int MaxConcurrentUploads { get; init; } = 2;

    /// <summary>Attempts per part (and per single PutObject) for transient failures, on top of the SDK's own retries.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The pause after failed attempt <c>n</c> (1-based).</summary>
    public Func<int, TimeSpan> RetryDelay { get; init; } = DefaultRetryDelay;

    public string? ContentType { get; init; }

    public static TimeSpan DefaultRetryDelay(int attempt) => TimeSpan.FromSeconds(Math.Min(32, attempt * attempt));
}

/// <summary>
/// A write-only stream that becomes one S3 object. Writes fill parts of <see cref="MultipartUploadOptions.PartSize"/>
/// bytes; full parts upload in the background (at most <see cref="MultipartUploadOptions.MaxConcurrentUploads"/> at a
/// time) under a multipart upload created on the first full part. <see cref="CompleteAsync"/> sends the rest: an
/// object that fits in one part is a single PutObject, and an empty one is not written at all. Disposing a stream that
/// was not completed aborts its multipart upload.
/// </summary>
public sealed class MultipartUploadStream : Stream
{
    private readonly IAmazonS3 _client;
    private readonly S3Settings _settings;
    private readonly MultipartUploadOptions _options;
    private readonly bool _useChunkEncoding;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<Task> _partUploads = [];
    private readonly List<PartETag> _completedParts = [];
    private readonly ConcurrentBag<byte[]> _freeBuffers = [];

    private byte[]? _buffer;
    private int _filled;
    private int _nextPartNumber = 1;
    private long _written;
    private long _uploaded;
    private string? _uploadId;
    private UploadState _state = UploadState.Open;
    private bool _disposed;

    public MultipartUploadStream(IAmazonS3 client, S3Settings settings, string key, MultipartUploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(key);
        options ??= new MultipartUploadOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, MultipartUploadOptions.MinimumPartSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentUploads, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1, nameof(options));

        _client = client;
        _settings = settings;
        _options = options;
        _useChunkEncoding = S3ClientFactory.UseChunkEncoding(settings);
        _slots = new SemaphoreSlim(options.MaxConcurrentUploads, options.MaxConcurrentUploads);
        Key = key;
    }

    private enum UploadState
    {
        Open,
        Completed,
        Aborted,
    }

    public string Key { get; }

    /// <summary>Bytes S3 has acknowledged so far.</summary>
    public long BytesUploaded => Interlocked.Read(ref _uploaded);

    /// <summary>The multipart upload's id once one was started; null while the object still fits in one part.</summary>
    public string? UploadId => _uploadId;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _state == UploadState.Open;

    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes written so far (writers may read it to count output); cannot be set.</summary>
    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotOpen();
        while (!buffer.IsEmpty)
        {
            if (_buffer is not null && _filled == _buffer.Length)
            {
                StartPartUploadAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            buffer = buffer[Append(buffer)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        while (!buffer.IsEmpty)
        {
            // A full part is sent only when more bytes arrive, so an object of exactly one part stays a PutObject.
            if (_buffer is not null && _filled == _buffer.Length)
            {
                await StartPartUploadAsync(cancellationToken);
            }

            buffer = buffer[Append(buffer.Span)..];
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Sends what is left and completes the object. Returns false, writing nothing, when nothing was written.
    /// On failure the multipart upload is aborted and the exception rethrown.
    /// </summary>
    public async Task<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotOpen();
        try
        {
            if (_written == 0)
            {
                _state = UploadState.Completed;
                return false;
            }

            if (_uploadId is null)
            {
                await PutObjectAsync(_buffer!, _filled, cancellationToken);
                _state = UploadState.Completed;
                return true;
            }

            if (_filled > 0)
            {
                await StartPartUploadAsync(cancellationToken);
            }

            await Task.WhenAll(_partUploads).WaitAsync(cancellationToken);
            List<PartETag> parts;
            lock (_completedParts)
            {
                parts = [.. _completedParts.OrderBy(p => p.PartNumber)];
            }

            await _client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest
                {
                    BucketName = _settings.BucketName,
                    Key = Key,
                    UploadId = _uploadId,
                    PartETags = parts,
                },
                cancellationToken);
            _state = UploadState.Completed;
            return true;
        }
        catch
        {
            await AbortAsync();
            throw;
        }
    }

    /// <summary>Stops the upload and aborts the multipart upload, best effort: failures here are swallowed.</summary>
    public async Task AbortAsync()
    {
        if (_state != UploadState.Open)
        {
            return;
        }

        _state = UploadState.Aborted;
        await _lifetime.CancelAsync();
        try
        {
            await Task.WhenAll(_partUploads);
        }
        catch (Exception)
        {
            // Their failures are what brought us here, or moot now.
        }

        if (_uploadId is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _settings.BucketName, Key = Key, UploadId = _uploadId },
                timeout.Token);
        }
        catch (Exception)
        {
            // Best effort: a bucket lifecycle rule is the backstop for uploads we fail to abort.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await AbortAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            AbortAsync().GetAwaiter().GetResult();
            _lifetime.Dispose();
            _slots.Dispose();
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Append(ReadOnlySpan<byte> source)
    {
        _buffer ??= RentBuffer();
        var count = Math.Min(source.Length, _buffer.Length - _filled);
        source[..count].CopyTo(_buffer.AsSpan(_filled));
        _filled += count;
        _written += count;
        return count;
    }

    private async Task StartPartUploadAsync(CancellationToken cancellationToken)
    {
        ThrowIfAPartFailed();
        if (_nextPartNumber > MultipartUploadOptions.MaximumParts)
        {
            throw new InvalidOperationException(
                $"'{Key}' needs more than S3's {MultipartUploadOptions.MaximumParts} parts of {_options.PartSize} bytes; use larger parts or smaller files.");
        }

        if (_uploadId is null)
        {
            var response = await _client.InitiateMultipartUploadAsync(
                new InitiateMultipartUploadRequest
                {
                    BucketName = _settings.BucketName,
                    Key = Key,
                    ContentType = _options.ContentType,
                    ServerSideEncryptionMethod = EncryptionMethod(),
                    ServerSideEncryptionKeyManagementServiceKeyId = KmsKeyId(),
                },
                cancellationToken);
            _uploadId = response.UploadId;
        }

        await _slots.WaitAsync(cancellationToken);
        try
        {
            ThrowIfAPartFailed();
        }
        catch
        {
            _slots.Release();
            throw;
        }

        var partNumber = _nextPartNumber++;
        var buffer = _buffer!;
        var length = _filled;
        _buffer = null;
        _filled = 0;
        _partUploads.Add(Task.Run(() => UploadPartAsync(partNumber, buffer, length)));
    }

    private async Task UploadPartAsync(int partNumber, byte[] buffer, int length)
    {
        try
        {
            var response = await WithRetriesAsync(
                partNumber,
                token => _client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = _settings.BucketName,
                        Key = Key,
                        UploadId = _uploadId,
                        PartNumber = partNumber,
                        InputStream = new MemoryStream(buffer, 0, length, writable: false),
                        UseChunkEncoding = _useChunkEncoding,
                    },
                    token),
                _lifetime.Token);
            lock (_completedParts)
            {
                _completedParts.Add(new PartETag(partNumber, response.ETag));
            }

            Interlocked.Add(ref _uploaded, length);
        }
        finally
        {
            _freeBuffers.Add(buffer);
            _slots.Release();
        }
    }

    private async Task PutObjectAsync(byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        await WithRetriesAsync(
            partNumber: null,
            token => _client.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _settings.BucketName,
                    Key = Key,
                    InputStream = new MemoryStream(buffer, 0, length, writable: false),
                    ContentType = _options.ContentType,
                    ServerSideEncryptionMethod = EncryptionMethod(),
                    ServerSideEncryptionKeyManagementServiceKeyId = KmsKeyId(),
                    UseChunkEncoding = _useChunkEncoding,
                },
                token),
            linked.Token);
        Interlocked.Add(ref _uploaded, length);
    }

    private async Task<T> WithRetriesAsync<T>(int? partNumber, Func<CancellationToken, Task<T>> send, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await send(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && S3ErrorClassifier.IsTransient(e, _settings))
            {
                if (attempt >= _options.MaxAttempts)
                {
                    throw new S3PartUploadFailedException(Key, partNumber, attempt, e);
                }

                await Task.Delay(_options.RetryDelay(attempt), cancellationToken);
            }
        }
    }

    private ServerSideEncryptionMethod? EncryptionMethod() =>
        _settings.Encryption is { } method ? ServerSideEncryptionMethod.FindValue(method) : null;

    private string? KmsKeyId() => _settings.Encryption == S3Settings.EncryptionKms ? _settings.KmsKeyId : null;

    private byte[] RentBuffer() => _freeBuffers.TryTake(out var buffer) ? buffer : new byte[_options.PartSize];

    private void ThrowIfAPartFailed()
    {
        foreach (var upload in _partUploads)
        {
            if (upload.IsFaulted)
            {
                upload.GetAwaiter().GetResult();
            }
        }
    }

    private void ThrowIfNotOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_state != UploadState.Open)
        {
            throw new InvalidOperationException($"The upload of '{Key}' was already {(_state == UploadState.Completed ? "completed" : "aborted")}.");
        }
    }
}
