using BatchExports.Pipeline.Formats;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// A run's records as the pipeline hands them to the destination: the source's columns, and its non-empty batches
/// read one at a time. Source failures arrive already classified (see <see cref="SourceRead"/>).
/// </summary>
public sealed class RecordStream : IAsyncDisposable
{
    private readonly IAsyncEnumerator<RecordBatch> _enumerator;

    public RecordStream(SourceRead read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        Columns = read.Columns;
        _enumerator = read.Batches.GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>What a destination that reads no records (NoOp) receives.</summary>
    public static RecordStream Empty => new(new SourceRead([], AsyncEnumerable.Empty<RecordBatch>()), CancellationToken.None);

    public IReadOnlyList<Column> Columns { get; }

    /// <summary>The next non-empty batch, or null at the end.</summary>
    public async ValueTask<RecordBatch?> NextAsync()
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

    public ValueTask DisposeAsync() => _enumerator.DisposeAsync();
}
