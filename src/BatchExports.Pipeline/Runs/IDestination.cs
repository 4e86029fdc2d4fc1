namespace BatchExports.Pipeline.Runs;

/// <summary>
/// One destination type's export of a run. It declares what it reads; the pipeline reads the source and hands it
/// the records. A destination never queries the source.
/// </summary>
public interface IDestination
{
    string Type { get; }

    /// <summary>
    /// The event fields it exports when the export has no custom schema (PostHog's per-destination defaults); null
    /// for a destination that reads no records at all.
    /// </summary>
    IReadOnlyList<string>? EventFields { get; }

    /// <summary>Rows per batch it wants from the source; with its own buffers, this bounds a run's memory.</summary>
    int BatchSize { get; }

    /// <summary>
    /// Whether it needs the records in time order. Sorting a large interval is a large share of the source's cost,
    /// so a destination that does not need it (a file store; merges that pick rows themselves) says so.
    /// </summary>
    bool NeedsOrderedRecords => true;

    /// <summary>
    /// Whether it takes canonical JSON columns as UTF-8 bytes (<c>byte[]</c>) rather than strings: the file writers
    /// write bytes, so decoding <c>properties</c> to UTF-16 and encoding it back is wasted work for them.
    /// </summary>
    bool AcceptsUtf8Json => false;

    Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken);
}
