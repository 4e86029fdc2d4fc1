using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.Backfills;

/// <summary>A backfill with its progress (null where PostHog shows none).</summary>
public sealed record BackfillView(BatchExportBackfill Backfill, BackfillRunProgress? Progress);
