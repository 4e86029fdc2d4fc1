using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// The embedded engine: reconciles schedules on start, then ticks schedules and backfills and keeps
/// <see cref="EngineOptions.Concurrency"/> executors claiming batches of runs. Several processes may share one database.
/// </summary>
public sealed class EmbeddedEngine(
    ScheduleReconciler reconciler,
    ScheduleTicker scheduler,
    BackfillDriver backfills,
    RunExecutor executor,
    EngineListener listener,
    EngineWakeup wakeup,
    IDbContextFactory<BatchExportsDbContext> contexts,
    TimeProvider clock,
    IOptions<EngineOptions> options,
    ILogger<EmbeddedEngine> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // A database that is down at start-up delays the engine; it must not stop the host (and so crash-loop it).
        int? reconciled = null;
        for (var failures = 0; reconciled == null; failures++)
        {
            try
            {
                reconciled = await reconciler.ReconcileAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogFailure("start-up reconcile", exception, failures);
                if (!await SleepAsync(Backoff(failures), null, stoppingToken))
                {
                    return;
                }
            }
        }

        logger.LogInformation("Embedded engine {InstanceId} started with {Concurrency} executor(s); {Reconciled} schedule(s) re-synced",
            options.Value.InstanceId, options.Value.Concurrency, reconciled);

        var loops = Enumerable.Range(0, options.Value.Concurrency)
            // An executor wakes the others itself when its run lets a backfill move (RunExecutor).
            .Select(_ => LoopAsync("executor", ExecuteBatchAsync, wakeOnProgress: false, stoppingToken))
            .Append(LoopAsync("scheduler", SchedulerStepAsync, wakeOnProgress: true, stoppingToken))
            .Append(listener.ListenAsync(stoppingToken));
        await Task.WhenAll(loops);
    }

    /// <summary>
    /// Ticks schedules and backfills; when neither moved, arms the wake-up for the earliest work already known of (the
    /// next firing, a run's settle delay or retry back-off), so it starts on time rather than at a poll.
    /// </summary>
    private async Task<bool> SchedulerStepAsync(CancellationToken cancellationToken)
    {
        var created = await scheduler.TickAsync(cancellationToken);
        if (await backfills.TickAsync(cancellationToken) || created > 0)
        {
            return true;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        wakeup.WakeAt(await NextDueQuery.EarliestAsync(db, clock.GetUtcNow(), cancellationToken));
        return false;
    }

    private async Task<bool> ExecuteBatchAsync(CancellationToken cancellationToken) =>
        await executor.ExecuteBatchAsync(options.Value.RunConcurrency, advanceBackfills: true, cancellationToken) > 0;

    /// <summary>
    /// Repeats <paramref name="step"/>; when it found nothing to do, sleeps a poll interval or until the next
    /// <see cref="EngineWakeup"/> (another loop made progress, a notification, a due time), whichever comes first, and backs off while it keeps failing (then without waking early). Work a failed step held is not lost: a run's lease lapses and the run is claimed again.
    /// </summary>
    private async Task LoopAsync(string name, Func<CancellationToken, Task<bool>> step, bool wakeOnProgress, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            var delay = options.Value.PollInterval;
            // Taken before the step, so progress made while it ran is not missed.
            Task? progress = wakeup.Next;
            try
            {
                busy = await step(stoppingToken);
                if (busy && wakeOnProgress)
                {
                    wakeup.Wake();
                }

                if (failures > 0)
                {
                    logger.LogInformation("Embedded engine {Loop} recovered after {Failures} failed step(s)", name, failures);
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogFailure(name, exception, failures);
                delay = Backoff(failures++);
                progress = null;
            }

            if (!busy && !await SleepAsync(delay, progress, stoppingToken))
            {
                return;
            }
        }
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(options.Value.PollInterval.Ticks * (1L << Math.Min(failures, 20)), options.Value.MaxFailureBackoff.Ticks));

    /// <summary>An outage is logged once as a warning when it starts; other failures as errors, each time.</summary>
    private void LogFailure(string name, Exception exception, int failuresBefore)
    {
        if (!DatabaseOutage.IsUnreachable(exception))
        {
            logger.LogError(exception, "Embedded engine {Loop} step failed; retrying", name);
        }
        else if (failuresBefore == 0)
        {
            logger.LogWarning(exception, "Embedded engine {Loop}: the database is not reachable; backing off until it is", name);
        }
    }

    private async Task<bool> SleepAsync(TimeSpan delay, Task? wake, CancellationToken stoppingToken)
    {
        using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var sleep = Task.Delay(delay, clock, sleeping.Token);
        await (wake == null ? sleep : Task.WhenAny(sleep, wake)).ContinueWith(_ => { }, TaskScheduler.Default);
        // Woken early: release the timer.
        await sleeping.CancelAsync();
        return !stoppingToken.IsCancellationRequested;
    }
}
