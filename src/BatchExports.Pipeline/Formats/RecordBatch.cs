namespace BatchExports.Pipeline.Formats;

/// <summary>The type of an exported column, as written to files.</summary>
public enum ColumnKind
{
    String,
    Int64,
    Float64,
    Boolean,

    /// <summary>A UTC instant (<see cref="DateTimeOffset"/>).</summary>
    Timestamp,

    /// <summary>JSON held as its text (e.g. <c>properties</c>): nested as JSON in JSONLines, a string column in Parquet.</summary>
    Json,

    /// <summary>An array of strings (e.g. a session's <c>urls</c>).</summary>
    StringArray,
}

public sealed record Column(string Name, ColumnKind Kind)
{
    /// <summary>
    /// For a <see cref="ColumnKind.Json"/> column: the source guarantees every value is exactly one valid JSON value on
    /// one line (PostgreSQL's <c>jsonb</c> output), so a writer passes it through without checking it.
    /// </summary>
    public bool IsCanonicalJson { get; init; }

    // A promise about the values, not part of what the column is: a source's column equals its declaration.
    public bool Equals(Column? other) => other is not null && Name == other.Name && Kind == other.Kind;

    public override int GetHashCode() => HashCode.Combine(Name, Kind);
}

/// <summary>
/// A slice of rows read from a source. Values per <see cref="ColumnKind"/>: <c>string</c>, <c>long</c>, <c>double</c>,
/// <c>bool</c>, <c>DateTimeOffset</c>, JSON text as <c>string</c> (or, from a source asked for it, as its UTF-8 bytes,
/// <c>byte[]</c>), <c>string[]</c>; any may be <c>null</c>.
/// </summary>
public sealed record RecordBatch(IReadOnlyList<Column> Columns, IReadOnlyList<object?[]> Rows)
{
    public int Count => Rows.Count;
}

/// <summary>Writes record batches as one file's bytes onto a stream, compressing as it goes.</summary>
public interface IRecordFileWriter : IAsyncDisposable
{
    /// <summary>Compressed bytes handed to the output so far (what rotation by size is measured in).</summary>
    long BytesWritten { get; }

    long RecordsWritten { get; }

    Task WriteAsync(RecordBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the batch's rows from <paramref name="start"/> on, stopping early once the file has reached
    /// <paramref name="sizeLimit"/> bytes: right after the record that reached it (JSONLines), or after the row group
    /// that did (Parquet, whose row groups are then bounded to a fraction of the limit). Returns the rows written;
    /// <see cref="BytesWritten"/> is exact when it returns early. What rotation by size is built on.
    /// </summary>
    Task<int> WriteAsync(RecordBatch batch, int start, long sizeLimit, CancellationToken cancellationToken);

    /// <summary>Writes any footer and flushes the compressor; the output stream is left open.</summary>
    Task FinishAsync(CancellationToken cancellationToken);
}
