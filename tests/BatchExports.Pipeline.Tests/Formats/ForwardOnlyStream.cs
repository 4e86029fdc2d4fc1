namespace BatchExports.Pipeline.Tests.Formats;

/// <summary>
/// Stands in for an upload stream: write-only, not seekable, no position or length, and no synchronous I/O.
/// </summary>
internal sealed class ForwardOnlyStream : Stream
{
    private readonly MemoryStream _written = new();

    public bool IsDisposed { get; private set; }

    public int FlushCount { get; private set; }

    public long WrittenLength => _written.Length;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !IsDisposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public byte[] ToArray() => _written.ToArray();

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new InvalidOperationException("Synchronous writes are not allowed on this stream.");

    public override void Flush() => throw new InvalidOperationException("Synchronous flushes are not allowed on this stream.");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        await Task.Yield();
        _written.Write(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        FlushCount++;
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}
