using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Claims one due run and executes it. A claim is a single <c>UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)</c>
/// that takes a lease; a heartbeat renews it and notices cancellation. If the process dies, the lease lapses and
/// another executor takes the run again, counting the attempt. What happens to the run between claim and release is
/// the shared <see cref="RunLifecycle"/>.
/// </summary>
public sealed class RunExecutor(
    IDbContextFactory<BatchExportsDbContext> contexts,
    RunLifecycle lifecycle,
    EngineWakeup wakeup,
    TimeProvider clock,
    IOptions<EngineOptions> options,
    ILogger<RunExecutor> logger)
{
    private EngineOptions Options => options.Value;

    /// <summary>Runs one claimable run if there is one; returns whether it found work.</summary>
    public async Task<bool> ExecuteNextAsync(CancellationToken stopping)
    {
        var run = await ClaimAsync(stopping);
        if (run == null)
        {
            return false;
        }

        var completed = await ExecuteAsync(run, stopping);
        if (!completed)
        {
            // A retry may now wait for its back-off: the scheduler arms the wake-up for it.
            wakeup.Wake();
        }

        if (run.BackfillId != null)
        {
            // The backfill can take its next step (its next run, or Completed): here at once, and in another engine on
            // the database through the notification. A completed scheduled run wakes no one: nothing waits for it,
            // and waking the scheduler after each of a boundary's thousands of runs would double their cost.
            wakeup.Wake();
            await using var db = await contexts.CreateDbContextAsync(stopping);
            await EngineNotifications.NotifyAsync(db, stopping);
        }

        return true;
    }

    private async Task<BatchExportRun?> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var leaseUntil = now + Options.LeaseDuration;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var claimed = await db.BatchExportRuns.FromSqlInterpolated($"""
            UPDATE batch_export_runs
            SET status = 'Running', attempt = attempt + 1, lease_owner = {Options.InstanceId},
                lease_expires_at = {leaseUntil}, last_updated_at = {now}
            WHERE id = (
                SELECT id FROM batch_export_runs
                WHERE status IN ('Starting', 'Running') AND next_attempt_at <= {now}
                  AND (lease_expires_at IS NULL OR lease_expires_at < {now})
                ORDER BY next_attempt_at, created_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        return claimed.SingleOrDefault();
    }

    /// <summary>Returns whether the run completed; false when it ended otherwise or was left for a later attempt.</summary>
    private async Task<bool> ExecuteAsync(BatchExportRun run, CancellationToken stopping)
    {
        var lease = new RunLease(run.Id, Options.InstanceId);
        var started = await lifecycle.StartAsync(run, lease, new RunRetryPolicy(Options.MaxAttempts, Options.RetryBackoff), stopping);
        if (started == null)
        {
            return false;
        }

        using var cancelled = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancelled.Token);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(lease, run.Id, cancelled, heartbeatStop.Token);
        RunOutcome outcome;
        try
        {
            outcome = await lifecycle.ExecuteAsync(started, linked.Token);
        }
        catch (Exception exception)
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            var interruption = !linked.IsCancellationRequested ? RunInterruption.None
                : cancelled.IsCancellationRequested ? RunInterruption.Cancelled
                : RunInterruption.Stopping;
            await lifecycle.FailAsync(started, exception, interruption);
            return false;
        }

        await StopHeartbeatAsync(heartbeatStop, heartbeat);
        // Outside the catch: if the database is away for this write, the export did not fail. The error reaches the
        // engine loop, the lease lapses and the run is claimed again (its output keys are deterministic).
        await lifecycle.CompleteAsync(started, outcome);
        return true;
    }

    /// <summary>
    /// Renews the lease; when the run is no longer ours and Running (cancelled, or taken over), cancels it. A failed
    /// renewal (the database is briefly away) is retried on the next beat; only a lapsed lease lets another take over.
    /// </summary>
    private async Task HeartbeatAsync(RunLease lease, Guid runId, CancellationTokenSource cancelled, CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.HeartbeatInterval, clock, stop);
                await using var db = await contexts.CreateDbContextAsync(stop);
                var leaseUntil = clock.GetUtcNow() + Options.LeaseDuration;
                var renewed = await lease.Owned(db.BatchExportRuns)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseExpiresAt, leaseUntil), stop);
                if (renewed == 0)
                {
                    await cancelled.CancelAsync();
                    return;
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (failures++ == 0)
                {
                    logger.LogWarning(exception, "Heartbeat of run {RunId} failed; retrying", runId);
                }
            }
        }
    }

    private static async Task StopHeartbeatAsync(CancellationTokenSource stop, Task heartbeat)
    {
        await stop.CancelAsync();
        await heartbeat;
    }
}
