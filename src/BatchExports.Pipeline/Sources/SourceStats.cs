namespace BatchExports.Pipeline.Sources;

/// <summary>The earliest data and an estimate of how many records a backfill will export.</summary>
public sealed record SourceStats(DateTimeOffset? Earliest, long? Count);
