using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Sources;

/// <summary>
/// One run's read: the export's selection over one data interval, bounded by event time for backfills and by
/// ingestion time for scheduled runs (as PostHog), with the event fields the destination exports when the export
/// has no custom schema. <paramref name="Ordered"/> false lets the source hand rows out in whatever order is cheapest
/// (no sort of the interval on the server), for destinations that need no order (S3, as PostHog's order_columns=None).
/// <paramref name="Utf8Json"/> true hands canonical JSON columns out as their UTF-8 bytes (<c>byte[]</c>) instead of a
/// <c>string</c>, for consumers that write bytes (the file writers): it spares a UTF-8 decode and re-encode of every
/// <c>properties</c> value.
/// </summary>
public sealed record SourceRequest(
    ExportSelection Selection, DataInterval Interval, bool IsBackfill, IReadOnlyList<string> EventFields, bool Ordered = true, bool Utf8Json = false);
