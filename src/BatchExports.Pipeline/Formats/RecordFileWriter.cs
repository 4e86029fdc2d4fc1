namespace BatchExports.Pipeline.Formats;

/// <summary>
/// The life cycle shared by the file writers: byte and record counts, finishing once, and abandoning a file whose
/// write failed or that was disposed unfinished without sending anything more to the output.
/// </summary>
internal abstract class RecordFileWriter : IRecordFileWriter
{
    private bool _finished;
    private bool _faulted;
    private bool _disposed;

    protected RecordFileWriter(Stream output, IReadOnlyList<Column> columns)
    {
        Output = new OutputCountingStream(output);
        Columns = [.. columns];
    }

    public long BytesWritten => Output.BytesWritten;

    public long RecordsWritten { get; private set; }

    protected OutputCountingStream Output { get; }

    protected Column[] Columns { get; }

    public Task WriteAsync(RecordBatch batch, CancellationToken cancellationToken) =>
        WriteAsync(batch, 0, long.MaxValue, cancellationToken);

    public async Task<int> WriteAsync(RecordBatch batch, int start, long sizeLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, batch.Count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeLimit);
        EnsureWritable();
        FormatChecks.EnsureColumnsMatch(Columns, batch);
        cancellationToken.ThrowIfCancellationRequested();
        if (start == batch.Count)
        {
            return 0;
        }

        int written;
        try
        {
            written = await WriteRowsAsync(batch, start, sizeLimit, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Part of the batch may be written: the file can only be abandoned.
            _faulted = true;
            throw;
        }

        RecordsWritten += written;
        return written;
    }

    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return;
        }

        EnsureWritable();
        try
        {
            await FinishFileAsync(cancellationToken).ConfigureAwait(false);
            await Output.FlushOutputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }

        _finished = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_finished)
        {
            Output.Detach();
        }

        await ReleaseAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Writes rows from <paramref name="start"/> (at least one; columns checked) until the batch ends or the file
    /// reaches <paramref name="sizeLimit"/> (<see cref="long.MaxValue"/>: no limit); returns how many.
    /// </summary>
    protected abstract Task<int> WriteRowsAsync(RecordBatch batch, int start, long sizeLimit, CancellationToken cancellationToken);

    /// <summary>Writes the footer or compressor trailer; the output is flushed afterwards.</summary>
    protected abstract Task FinishFileAsync(CancellationToken cancellationToken);

    /// <summary>Releases buffers; if the file was not finished, the output is detached by then.</summary>
    protected abstract ValueTask ReleaseAsync();

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_faulted)
        {
            throw new InvalidOperationException("An earlier write failed; the file is incomplete and can only be disposed.");
        }

        if (_finished)
        {
            throw new InvalidOperationException("The file is finished; start a new writer for more records.");
        }
    }
}
