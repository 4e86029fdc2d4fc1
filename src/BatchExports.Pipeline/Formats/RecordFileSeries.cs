namespace BatchExports.Pipeline.Formats;

/// <summary>
/// A run's records as files of one format on a <see cref="IRecordFileTarget"/>, for every file-writing destination.
/// With a size limit (<c>max_file_size_mb</c>) a file is closed as soon as it reaches the limit, so it exceeds it by at
/// most one record (JSONLines) or one row group (Parquet, whose row groups are then an eighth of the limit), and the
/// next file starts with the following record. A file is opened only for records: no data, no file.
/// </summary>
public sealed class RecordFileSeries : IAsyncDisposable
{
    private readonly string _fileFormat;
    private readonly string? _compression;
    private readonly long? _maxFileBytes;
    private readonly IRecordFileTarget _target;
    private Stream? _file;
    private IRecordFileWriter? _writer;

    /// <param name="maxFileBytes">The size at which a file is closed and the next begun; null writes one file.</param>
    public RecordFileSeries(string fileFormat, string? compression, long? maxFileBytes, IRecordFileTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        FileFormats.Validate(fileFormat, compression);
        if (maxFileBytes is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit, nameof(maxFileBytes));
        }

        (_fileFormat, _compression, _maxFileBytes, _target) = (fileFormat, compression, maxFileBytes, target);
    }

    /// <summary>Files completed so far.</summary>
    public int FilesCompleted { get; private set; }

    public long RecordsWritten { get; private set; }

    public async Task WriteAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var next = 0;
        while (next < batch.Count)
        {
            if (_writer is null)
            {
                _file = await _target.OpenAsync(FilesCompleted, cancellationToken).ConfigureAwait(false);
                _writer = FileFormats.Create(_fileFormat, _compression, _file, batch.Columns);
            }

            var written = await _writer.WriteAsync(batch, next, _maxFileBytes ?? long.MaxValue, cancellationToken).ConfigureAwait(false);
            next += written;
            RecordsWritten += written;
            if (_maxFileBytes is { } limit && _writer.BytesWritten >= limit)
            {
                await CompleteFileAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Finishes the file being written, if any. Call once, after the last batch.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            await CompleteFileAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Abandons a file not completed (its writer and stream are disposed unfinished).</summary>
    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync().ConfigureAwait(false);
    }

    private async Task CompleteFileAsync(CancellationToken cancellationToken)
    {
        await _writer!.FinishAsync(cancellationToken).ConfigureAwait(false);
        await _target.CompleteAsync(_file!, cancellationToken).ConfigureAwait(false);
        FilesCompleted++;
        await ReleaseAsync().ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync()
    {
        var (writer, file) = (_writer, _file);
        (_writer, _file) = (null, null);
        if (writer is not null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        if (file is not null)
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
    }
}
