using BatchExports.Core.Domain;
using BatchExports.Core.Json;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Claims one due run and executes it. A claim is a single <c>UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)</c>
/// that takes a lease; a heartbeat renews it and notices cancellation. If the process dies, the lease lapses and
/// another executor takes the run again, counting the attempt.
/// </summary>
public sealed class RunExecutor(
    IDbContextFactory<BatchExportsDbContext> contexts,
    IRunPipeline pipeline,
    ConfigCipher cipher,
    ExportLog exportLog,
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

        await ExecuteAsync(run, stopping);
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

    private async Task ExecuteAsync(BatchExportRun run, CancellationToken stopping)
    {
        BatchExport? export;
        await using (var db = await contexts.CreateDbContextAsync(stopping))
        {
            export = await db.BatchExports.Include(e => e.Destination).AsNoTracking().SingleOrDefaultAsync(e => e.Id == run.BatchExportId, stopping);
        }

        if (export == null)
        {
            await FinishAsync(run, RunStatuses.Failed, "The batch export of this run no longer exists.", null, stopping);
            return;
        }

        var log = new RunLog(exportLog, run, export.TeamId);
        var range = $"{Describe(run.DataIntervalStart)} - {WireJson.FormatDateTime(run.DataIntervalEnd)}";
        if (export.Deleted)
        {
            await FinishAsync(run, RunStatuses.Cancelled, "Cancelled", null, stopping);
            await log.WarningAsync($"Batch export for range {range} was cancelled: the batch export was deleted.", stopping);
            return;
        }

        if (run.Attempt > Options.MaxAttempts)
        {
            var error = $"The run was interrupted {Options.MaxAttempts} time(s) before it could finish (the process running it stopped), and was given up.";
            await FinishAsync(run, RunStatuses.FailedRetryable, error, null, stopping);
            await log.ErrorAsync($"Batch export for range {range} failed with an error that can be retried: {error}", stopping);
            return;
        }

        await log.InfoAsync(
            $"Batch exporting range {range} ({export.Model}) to {export.Destination.Type}, attempt {run.Attempt} of {Options.MaxAttempts}.", stopping);

        using var cancelled = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancelled.Token);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(run, cancelled, heartbeatStop.Token);
        try
        {
            var config = cipher.Decrypt(export.Destination.ConfigCiphertext, export.Destination.Id);
            var outcome = await pipeline.ExecuteAsync(new RunContext(run, export, config, log), linked.Token);
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            if (await FinishAsync(run, RunStatuses.Completed, null, outcome, CancellationToken.None))
            {
                await log.InfoAsync(
                    $"Batch export for range {range} finished successfully with {(outcome.RecordsCompleted == 0 ? "no" : outcome.RecordsCompleted.ToString(System.Globalization.CultureInfo.InvariantCulture))} records exported.",
                    CancellationToken.None);
            }
        }
        catch (Exception exception) when (linked.IsCancellationRequested && exception is OperationCanceledException or TaskCanceledException)
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            if (cancelled.IsCancellationRequested)
            {
                await log.WarningAsync($"Batch export for range {range} was cancelled.", CancellationToken.None);
            }
            else
            {
                // The process is stopping: hand the run back at once, without counting this attempt.
                await ReleaseAsync(run);
            }
        }
        catch (NonRetryableExportException exception)
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            await FinishAsync(run, RunStatuses.Failed, exception.Message, null, CancellationToken.None);
            await log.ErrorAsync($"Batch export for range {range} failed with a non-recoverable error: {exception.Message}", CancellationToken.None);
        }
        catch (Exception exception)
        {
            await StopHeartbeatAsync(heartbeatStop, heartbeat);
            logger.LogWarning(exception, "Run {RunId} attempt {Attempt} failed", run.Id, run.Attempt);
            var error = $"{exception.GetType().Name}: {exception.Message}";
            if (run.Attempt < Options.MaxAttempts)
            {
                var delay = Options.RetryBackoff * Math.Pow(2, run.Attempt - 1);
                await ScheduleRetryAsync(run, error, delay);
                await log.WarningAsync(
                    $"Attempt {run.Attempt} of {Options.MaxAttempts} failed with an error that can be retried: {error}. Retrying in {delay.TotalSeconds:0} seconds.",
                    CancellationToken.None);
            }
            else
            {
                await FinishAsync(run, RunStatuses.FailedRetryable, error, null, CancellationToken.None);
                await log.ErrorAsync(
                    $"Batch export for range {range} failed with an error that can be retried, after {run.Attempt} attempts: {error}", CancellationToken.None);
            }
        }
    }

    /// <summary>Renews the lease; when the run is no longer ours and Running (cancelled, or taken over), cancels it.</summary>
    private async Task HeartbeatAsync(BatchExportRun run, CancellationTokenSource cancelled, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(Options.HeartbeatInterval, clock, stop);
                await using var db = await contexts.CreateDbContextAsync(stop);
                var leaseUntil = clock.GetUtcNow() + Options.LeaseDuration;
                var renewed = await db.BatchExportRuns
                    .Where(r => r.Id == run.Id && r.LeaseOwner == Options.InstanceId && r.Status == RunStatuses.Running)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseExpiresAt, leaseUntil), stop);
                if (renewed == 0)
                {
                    await cancelled.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A missed heartbeat is not fatal; the lease is long enough to try again.
            logger.LogWarning(exception, "Heartbeat of run {RunId} failed", run.Id);
        }
    }

    private static async Task StopHeartbeatAsync(CancellationTokenSource stop, Task heartbeat)
    {
        await stop.CancelAsync();
        await heartbeat;
    }

    /// <summary>Writes a final status, but only while the run is still ours and Running (a cancel wins).</summary>
    private async Task<bool> FinishAsync(BatchExportRun run, string status, string? error, RunOutcome? outcome, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.BatchExportRuns
            .Where(r => r.Id == run.Id && r.LeaseOwner == Options.InstanceId && r.Status == RunStatuses.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.LatestError, error)
                .SetProperty(r => r.RecordsCompleted, r => outcome != null ? (int)Math.Min(outcome.RecordsCompleted, int.MaxValue) : r.RecordsCompleted)
                .SetProperty(r => r.BytesExported, r => outcome != null ? outcome.BytesExported : r.BytesExported)
                .SetProperty(r => r.RecordsTotalCount, r => outcome != null && outcome.RecordsTotal != null ? outcome.RecordsTotal : r.RecordsTotalCount)
                .SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.LastUpdatedAt, now)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null),
                cancellationToken);
        return updated == 1;
    }

    private async Task ScheduleRetryAsync(BatchExportRun run, string error, TimeSpan delay)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync();
        await db.BatchExportRuns
            .Where(r => r.Id == run.Id && r.LeaseOwner == Options.InstanceId && r.Status == RunStatuses.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.LatestError, error)
                .SetProperty(r => r.NextAttemptAt, now + delay)
                .SetProperty(r => r.LastUpdatedAt, now)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null));
    }

    private async Task ReleaseAsync(BatchExportRun run)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.BatchExportRuns
            .Where(r => r.Id == run.Id && r.LeaseOwner == Options.InstanceId && r.Status == RunStatuses.Running)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Attempt, r => r.Attempt - 1)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null));
    }

    private static string Describe(DateTimeOffset? bound) => bound is { } value ? WireJson.FormatDateTime(value) : "START";
}
