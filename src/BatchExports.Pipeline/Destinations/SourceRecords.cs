using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Destinations;

/// <summary>
/// A run's records, read batch by batch from the source. The source's own failures come out as
/// <see cref="SourceReadException"/>, so a destination that also speaks PostgreSQL never takes them for its own.
/// </summary>
internal sealed class SourceRecords(IAsyncEnumerable<RecordBatch> batches, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<RecordBatch> _enumerator = batches.GetAsyncEnumerator(cancellationToken);

    /// <summary>The next non-empty batch, or null at the end.</summary>
    public async ValueTask<RecordBatch?> NextAsync()
    {
        try
        {
            while (await _enumerator.MoveNextAsync())
            {
                if (_enumerator.Current.Count > 0)
                {
                    return _enumerator.Current;
                }
            }

            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new SourceReadException(exception);
        }
    }

    public ValueTask DisposeAsync() => _enumerator.DisposeAsync();
}

/// <summary>Reading the records to export failed; the engine retries it like any transient error.</summary>
public sealed class SourceReadException(Exception innerException)
    : Exception($"Reading the records to export failed: {innerException.Message}", innerException);
