namespace BatchExports.Pipeline.Formats;

/// <summary>
/// A forward-only, write-only view of the caller's output that counts the bytes handed to it. Disposing it leaves the
/// output open; <see cref="Detach"/> makes later writes vanish so an abandoned file gets no trailer appended.
/// </summary>
internal sealed class OutputCountingStream(Stream output) : Stream
{
    private bool _detached;

    public long BytesWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesWritten;
        set => throw new NotSupportedException();
    }

    public void Detach() => _detached = true;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_detached)
        {
            return;
        }

        output.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_detached)
        {
            return;
        }

        await output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        BytesWritten += buffer.Length;
    }

    /// <summary>Flushes the caller's output; the writers do this once, when the file is finished.</summary>
    public Task FlushOutputAsync(CancellationToken cancellationToken) =>
        _detached ? Task.CompletedTask : output.FlushAsync(cancellationToken);

    // Compressors and Parquet.Net flush their target after every block or page (Parquet.Net synchronously, which
    // upload streams may forbid); passing those on could force tiny uploads, so only FlushOutputAsync reaches the output.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
