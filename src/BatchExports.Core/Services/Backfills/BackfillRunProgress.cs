namespace BatchExports.Core.Services.Backfills;

/// <summary>PostHog's backfill <c>progress</c> figures: runs expected, runs finished, and their ratio to one decimal.</summary>
public sealed record BackfillRunProgress(int? TotalRuns, int? FinishedRuns, double? Progress);
