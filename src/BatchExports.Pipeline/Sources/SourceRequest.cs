using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// One run's read: the export's selection over one data interval, bounded by event time for backfills and by
/// ingestion time for scheduled runs (as PostHog), with the event fields the destination exports when the export
/// has no custom schema.
/// </summary>
public sealed record SourceRequest(ExportSelection Selection, DataInterval Interval, bool IsBackfill, IReadOnlyList<string> EventFields);
