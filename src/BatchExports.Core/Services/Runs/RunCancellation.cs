using BatchExports.Core.Domain;

namespace BatchExports.Core.Services.Runs;

public static class RunCancellation
{
    public static void MarkBackfillCancelled(BatchExportBackfill backfill, DateTimeOffset now)
    {
        backfill.Status = BackfillStatuses.Cancelled;
        backfill.FinishedAt = now;
        backfill.LastUpdatedAt = now;
    }

    /// <summary>The state a cancelled run is left in; its executor notices on its next heartbeat and stops.</summary>
    public static void MarkCancelled(BatchExportRun run, DateTimeOffset now)
    {
        run.Status = RunStatuses.Cancelled;
        run.LatestError ??= "Cancelled";
        run.FinishedAt = now;
        run.LastUpdatedAt = now;
    }
}
