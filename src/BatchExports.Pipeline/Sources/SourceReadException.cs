namespace BatchExports.Pipeline.Sources;

/// <summary>
/// Reading the records to export failed; the engine retries it like any transient error. A destination that also
/// speaks PostgreSQL can tell it from its own failures.
/// </summary>
public sealed class SourceReadException(Exception innerException)
    : Exception($"Reading the records to export failed: {innerException.Message}", innerException);
