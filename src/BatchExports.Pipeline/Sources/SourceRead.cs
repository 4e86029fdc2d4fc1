using BatchExports.Pipeline.Formats;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// An opened read: its columns are known before the first row, and its batches stream once enumerated. A failure
/// while reading surfaces as <see cref="SourceReadException"/> (retryable) or, when the user's own settings are what
/// the source refused, as <see cref="Runs.NonRetryableExportException"/>.
/// </summary>
public sealed record SourceRead(IReadOnlyList<Column> Columns, IAsyncEnumerable<RecordBatch> Batches);
