using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace BatchExports.Worker.Activities;

/// <summary>
/// The export workflow's activities. They hold no logic of their own beyond Temporal's side of it: the run row comes
/// from <see cref="RunRows"/>, and start, execute, complete and fail are the shared <see cref="RunLifecycle"/>, so a run
/// executed here has the same rows and log lines as one the embedded engine executes.
/// </summary>
public sealed class ExportActivities(
    IDbContextFactory<BatchExportsDbContext> contexts,
    RunLifecycle lifecycle,
    ExportLog log,
    TimeProvider clock)
{
    /// <summary>PostHog's <c>start_batch_export_run</c>: the interval's run row, Starting; a retry finds the same row.</summary>
    [Activity("start_batch_export_run")]
    public async Task<Guid> StartRunAsync(StartRunInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cancellationToken = ActivityExecutionContext.Current.CancellationToken;
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await RunRows.InsertAsync(db, input.BatchExportId, input.BackfillId, new DataInterval(input.DataIntervalStart, input.DataIntervalEnd), now, now, cancellationToken);
        return await db.BatchExportRuns
            .Where(r => r.BatchExportId == input.BatchExportId && r.BackfillId == input.BackfillId && r.DataIntervalEnd == input.DataIntervalEnd)
            .Select(r => r.Id)
            .SingleAsync(cancellationToken);
    }

    /// <summary>
    /// Executes the run through the shared lifecycle, heartbeating all along (how Temporal delivers a cancel, and how
    /// it notices a dead worker). A transient failure before the last attempt is thrown back for Temporal to retry,
    /// after the lifecycle wrote its error and "Retrying in" line; anything else ends here with the run's status.
    /// </summary>
    [Activity("insert_into_destination_activity")]
    public async Task<RunResult> ExecuteRunAsync(ExecuteRunInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var context = ActivityExecutionContext.Current;
        var run = await ClaimAsync(input.RunId, context.Info.Attempt, context.CancellationToken);
        if (run == null)
        {
            return await ResultAsync(input.RunId);
        }

        var ownership = new TemporalRunOwnership(run.Id);
        var started = await lifecycle.StartAsync(run, ownership, RunRetry.Policy, context.CancellationToken);
        if (started == null)
        {
            return await ResultAsync(run.Id);
        }

        using var noLongerOurs = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, noLongerOurs.Token);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(context, ownership, run.Id, noLongerOurs, heartbeatStop.Token);
        RunOutcome outcome;
        try
        {
            outcome = await lifecycle.ExecuteAsync(started, linked.Token);
        }
        catch (Exception exception)
        {
            await StopAsync(heartbeatStop, heartbeat);
            var interruption = !linked.IsCancellationRequested ? RunInterruption.None
                : context.WorkerShutdownToken.IsCancellationRequested && !noLongerOurs.IsCancellationRequested ? RunInterruption.Stopping
                : RunInterruption.Cancelled;
            if (interruption == RunInterruption.Cancelled && !noLongerOurs.IsCancellationRequested && exception is OperationCanceledException)
            {
                // Temporal's cancel (from Temporal's UI, or a backfill's cancel reaching its child) with the row still
                // Running: the run ends Cancelled here, with the lifecycle's one line. (The API's cancel changes the
                // row first; the lifecycle then only logs.)
                await EndCancelledAsync(run.Id, null);
                throw;
            }

            await lifecycle.FailAsync(started, exception, interruption);
            if (interruption == RunInterruption.Stopping)
            {
                // Handed back uncounted; Temporal gives the attempt to another worker.
                throw new ApplicationFailureException("The worker executing this run is stopping.", exception, errorType: "WorkerShutdown");
            }

            if (interruption == RunInterruption.Cancelled)
            {
                throw;
            }

            var result = await ResultAsync(run.Id);
            if (result.Status == RunStatuses.Running)
            {
                throw new ApplicationFailureException(
                    result.LatestError ?? exception.Message, errorType: "RetryableExportError", nextRetryDelay: RunRetry.Policy.DelayAfter(context.Info.Attempt));
            }

            return result;
        }

        await StopAsync(heartbeatStop, heartbeat);
        await lifecycle.CompleteAsync(started, outcome);
        return await ResultAsync(run.Id);
    }

    /// <summary>
    /// PostHog's <c>finish_batch_export_run</c>, for what the workflow itself ends: a run whose workflow was cancelled
    /// (from the API, a backfill's cancel or Temporal's UI) or whose attempts ran out while no worker could record it.
    /// Written only while the run is still active, so a status the lifecycle already wrote stands.
    /// </summary>
    [Activity("finish_batch_export_run")]
    public async Task FinishRunAsync(FinishRunInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Status == RunStatuses.Cancelled)
        {
            await EndCancelledAsync(input.RunId, input.LatestError);
            return;
        }

        await EndAsync(input.RunId, input.Status, input.LatestError);
    }

    /// <summary>Ends a still-active run Cancelled (as the API's cancel leaves it) and says so once in its logs.</summary>
    private async Task EndCancelledAsync(Guid runId, string? error)
    {
        if (await EndAsync(runId, RunStatuses.Cancelled, error ?? "Cancelled") is { } run)
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            var teamId = run.BatchExportId is { } exportId
                ? await db.BatchExports.Where(e => e.Id == exportId).Select(e => e.TeamId).SingleAsync()
                : await db.BatchExportOnDemands.Where(e => e.Id == run.BatchExportOnDemandId).Select(e => e.TeamId).SingleAsync();
            await log.WriteRunAsync(teamId, run, LogLevels.Warning, $"Batch export for range {RunInterval.Of(run).Range} was cancelled.", CancellationToken.None);
        }
    }

    /// <summary>Writes the final status while the run is still active; returns the run when this call ended it.</summary>
    private async Task<BatchExportRun?> EndAsync(Guid runId, string status, string? error)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        var updated = await db.BatchExportRuns
            .Where(r => r.Id == runId && (r.Status == RunStatuses.Starting || r.Status == RunStatuses.Running))
            .ExecuteUpdateAsync(set =>
            {
                set.SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, now).SetProperty(r => r.LastUpdatedAt, now);
                // A cancel keeps an error the run already had (as the API's cancel does); other endings state their own.
                if (status == RunStatuses.Cancelled)
                {
                    set.SetProperty(r => r.LatestError, r => r.LatestError ?? error);
                }
                else
                {
                    set.SetProperty(r => r.LatestError, r => error ?? r.LatestError);
                }
            });
        return updated == 1 ? await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId) : null;
    }

    /// <summary>Starting/Running → Running with Temporal's attempt number; null when the run is no longer active (cancelled first).</summary>
    private async Task<BatchExportRun?> ClaimAsync(Guid runId, int attempt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var claimed = await db.BatchExportRuns.FromSqlInterpolated($"""
            UPDATE batch_export_runs SET status = 'Running', attempt = {attempt}, last_updated_at = {now}
            WHERE id = {runId} AND status IN ('Starting', 'Running')
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        return claimed.SingleOrDefault();
    }

    private async Task<RunResult> ResultAsync(Guid runId)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        var run = await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
        return new RunResult(run.Status, run.RecordsCompleted, run.LatestError);
    }

    /// <summary>
    /// Heartbeats the run id (what a retry resumes with) and checks the row: a run cancelled in the database stops
    /// even if Temporal's own cancel never arrived.
    /// </summary>
    private async Task HeartbeatAsync(ActivityExecutionContext context, TemporalRunOwnership ownership, Guid runId, CancellationTokenSource noLongerOurs, CancellationToken stop)
    {
        var every = context.Info.HeartbeatTimeout is { } timeout && timeout > TimeSpan.Zero ? timeout / 3 : TimeSpan.FromSeconds(10);
        while (!stop.IsCancellationRequested)
        {
            context.Heartbeat(runId);
            try
            {
                await Task.Delay(every, clock, stop);
                await using var db = await contexts.CreateDbContextAsync(stop);
                if (!await ownership.Owned(db.BatchExportRuns).AnyAsync(stop))
                {
                    await noLongerOurs.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The database is briefly away: keep heartbeating; the next check decides.
            }
        }
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task heartbeat)
    {
        await stop.CancelAsync();
        await heartbeat;
    }
}
