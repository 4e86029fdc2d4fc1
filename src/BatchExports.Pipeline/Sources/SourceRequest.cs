using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// One run's read: the export's selection over one data interval, bounded by event time for backfills and by
/// ingestion time for scheduled runs (as PostHog), with the event fields the destination exports when the export
/// has no custom schema. <paramref name="Ordered"/> false lets the source hand rows out in whatever order is cheapest
/// (no sort of the interval on the server), for destinations that need no order (S3, as PostHog's order_columns=None).
/// </summary>
public sealed record SourceRequest(ExportSelection Selection, DataInterval Interval, bool IsBackfill, IReadOnlyList<string> EventFields, bool Ordered = true);
