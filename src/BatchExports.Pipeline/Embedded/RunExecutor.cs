using System.Collections.Concurrent;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Pipeline.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Embedded;

/// <summary>
/// Claims due runs in batches and executes them. A claim is a single <c>UPDATE … WHERE id IN (SELECT … LIMIT n FOR
/// UPDATE SKIP LOCKED)</c> that takes a lease on each; one heartbeat per batch renews the leases of its unfinished runs
/// in one statement and notices cancellation. If the process dies, the leases lapse and another executor takes the runs
/// again, counting the attempt. A batch's runs go through their lifecycle together (their exports loaded in one query,
/// their log lines sharing inserts), but only <see cref="EngineOptions.Concurrency"/> of them export at once, so a batch
/// of runs that wait on nothing but PostgreSQL finishes in a few round trips while heavy exports stay bounded. What
/// happens to a run between claim and release is the shared <see cref="RunLifecycle"/>.
/// </summary>
public sealed class RunExecutor(
    IDbContextFactory<BatchExportsDbContext> contexts,
    RunLifecycle lifecycle,
    BackfillDriver backfills,
    IEnumerable<IDestination> destinations,
    EngineWakeup wakeup,
    TimeProvider clock,
    IOptions<EngineOptions> options,
    ILogger<RunExecutor> logger) : IDisposable
{
    private readonly SemaphoreSlim _exporting = new(options.Value.Concurrency);

    /// <summary>Destination types that read no records (NoOp): their runs wait for no export slot worth keeping free.</summary>
    private readonly string[] _cheapTypes = [.. destinations.Where(d => d.EventFields == null).Select(d => d.Type)];

    private EngineOptions Options => options.Value;

    /// <summary>Runs one claimable run if there is one; returns whether it found work.</summary>
    public async Task<bool> ExecuteNextAsync(CancellationToken stopping) => await ExecuteBatchAsync(1, advanceBackfills: false, stopping) > 0;

    /// <summary>
    /// Claims up to <paramref name="limit"/> runs and executes them; returns how many it executed (0: no work). With
    /// <paramref name="advanceBackfills"/>, each backfill whose run finished is moved on here at once
    /// (<see cref="BackfillDriver.AdvanceAsync"/>): its next interval's run is created already claimed by this executor
    /// and executed straight after, so a backfill of empty intervals runs them back to back, and its last run's
    /// executor completes it. A test driver that steps the engine passes false and ticks the backfills itself.
    /// </summary>
    public async Task<int> ExecuteBatchAsync(int limit, bool advanceBackfills, CancellationToken stopping)
    {
        var runs = await ClaimAsync(limit, stopping);
        IReadOnlyDictionary<Guid, BatchExport?>? exports = null;
        var executed = 0;
        while (runs.Count > 0)
        {
            executed += runs.Count;
            var completed = await ExecuteClaimedAsync(runs, exports, stopping);
            if (completed.Contains(false))
            {
                // A retry may now wait for its back-off: the scheduler arms the wake-up for it.
                wakeup.Wake();
            }

            var backfillIds = runs.Where(r => r.BackfillId != null).Select(r => r.BackfillId!.Value).Distinct().ToList();
            if (backfillIds.Count == 0)
            {
                // A completed scheduled run wakes no one: nothing waits for it, and waking the scheduler after each of
                // a boundary's thousands of runs would double their cost.
                break;
            }

            if (!advanceBackfills)
            {
                // The backfill can take its next step: in the scheduler loop, and in another engine through the notification.
                wakeup.Wake();
                await using var db = await contexts.CreateDbContextAsync(stopping);
                await EngineNotifications.NotifyAsync(db, stopping);
                break;
            }

            var advanced = await AdvanceBackfillsAsync(backfillIds, stopping);
            runs = [.. advanced.Select(a => a.Claimed!)];
            exports = advanced.ToDictionary(a => a.Claimed!.Id, a => a.Export);
        }

        return executed;
    }

    /// <summary>
    /// Moves on each backfill whose run just finished; returns the next runs claimed for this executor (with their
    /// exports). A backfill another step holds at the moment is left to the scheduler loop, woken for it (and another
    /// engine notified).
    /// </summary>
    private async Task<List<BackfillAdvance>> AdvanceBackfillsAsync(IReadOnlyList<Guid> backfillIds, CancellationToken stopping)
    {
        var next = new List<BackfillAdvance>();
        var leftOver = false;
        foreach (var backfillId in backfillIds)
        {
            var now = clock.GetUtcNow();
            var advance = await backfills.AdvanceAsync(backfillId, new RunClaim(Options.InstanceId, now + Options.LeaseDuration, now), stopping);
            if (advance == null)
            {
                leftOver = true;
            }
            else if (advance.Claimed != null)
            {
                next.Add(advance);
            }
        }

        if (leftOver)
        {
            wakeup.Wake();
            await using var db = await contexts.CreateDbContextAsync(stopping);
            await EngineNotifications.NotifyAsync(db, stopping);
        }

        return next;
    }

    /// <summary>
    /// Executes claimed runs together under one heartbeat; returns, per run, whether it completed. Their exports are
    /// loaded here unless the step that claimed them already had them.
    /// </summary>
    private async Task<bool[]> ExecuteClaimedAsync(List<BatchExportRun> runs, IReadOnlyDictionary<Guid, BatchExport?>? loaded, CancellationToken stopping)
    {
        // Created before anything can fail, so the heartbeat may cancel any of them; disposed once it has stopped.
        var cancels = runs.ToDictionary(r => r.Id, _ => new CancellationTokenSource());
        var unfinished = new ConcurrentDictionary<Guid, bool>(runs.Select(r => KeyValuePair.Create(r.Id, true)));
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(unfinished, cancels, heartbeatStop.Token);
        try
        {
            var exports = loaded ?? await lifecycle.LoadExportsAsync(runs, stopping);
            return await Task.WhenAll(runs.Select(async run =>
            {
                try
                {
                    return await ExecuteAsync(run, exports[run.Id], cancels[run.Id], stopping);
                }
                finally
                {
                    unfinished.TryRemove(run.Id, out _);
                }
            }));
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            foreach (var cancel in cancels.Values)
            {
                cancel.Dispose();
            }
        }
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due runs, oldest first — but of runs that export data (every destination
    /// but those reading no records) only as many as this process has free export slots: a claimed run shows Running
    /// and no other engine may take it, so a heavy run claimed only to wait for a slot here would wait for nothing on
    /// another engine with a free one. (The rows the inner select locked and the outer one leaves go back at once.)
    /// The locked select orders by <c>next_attempt_at</c> alone, the claimable index's key, so it reads the index and
    /// stops after <paramref name="limit"/> rows; equal due times (a boundary's runs all share one) come in index
    /// order. With <c>created_at</c> as a tie-break, PostgreSQL sorted every due row under <c>FOR UPDATE</c> (no
    /// top-N sort below LockRows): 76 ms per claim with 50,000 runs due, against 4 ms now — most of a boundary's burst.
    /// </summary>
    private async Task<List<BatchExportRun>> ClaimAsync(int limit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var leaseUntil = now + Options.LeaseDuration;
        // None while every slot is taken: the loop whose run frees one claims again at once (its step was busy).
        var heavy = _exporting.CurrentCount;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var claimed = await db.BatchExportRuns.FromSqlInterpolated($"""
            UPDATE batch_export_runs
            SET status = 'Running', attempt = attempt + 1, lease_owner = {Options.InstanceId},
                lease_expires_at = {leaseUntil}, last_updated_at = {now}
            WHERE id IN (
                SELECT c.id FROM (
                    SELECT d.id, coalesce(t.type = ANY({_cheapTypes}), false) AS cheap,
                        row_number() OVER (PARTITION BY coalesce(t.type = ANY({_cheapTypes}), false) ORDER BY d.next_attempt_at, d.created_at) AS n
                    FROM (
                        SELECT id, batch_export_id, next_attempt_at, created_at FROM batch_export_runs
                        WHERE status IN ('Starting', 'Running') AND next_attempt_at <= {now}
                          AND (lease_expires_at IS NULL OR lease_expires_at < {now})
                        ORDER BY next_attempt_at
                        LIMIT {limit}
                        FOR UPDATE SKIP LOCKED) d
                    LEFT JOIN batch_exports e ON e.id = d.batch_export_id
                    LEFT JOIN batch_export_destinations t ON t.id = e.destination_id) c
                WHERE c.cheap OR c.n <= {heavy})
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        // RETURNING keeps no order; the batch starts its runs oldest first, as one-at-a-time claims did.
        return [.. claimed.OrderBy(r => r.NextAttemptAt).ThenBy(r => r.CreatedAt)];
    }

    /// <summary>Returns whether the run completed; false when it ended otherwise or was left for a later attempt.</summary>
    private async Task<bool> ExecuteAsync(BatchExportRun run, BatchExport? export, CancellationTokenSource cancelled, CancellationToken stopping)
    {
        var lease = new RunLease(run.Id, Options.InstanceId);
        var started = await lifecycle.StartAsync(run, export, lease, new RunRetryPolicy(Options.MaxAttempts, Options.RetryBackoff), stopping);
        if (started == null)
        {
            return false;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancelled.Token);
        RunOutcome outcome;
        try
        {
            // Waiting for an export slot counts as running: a cancel or a stop meanwhile ends the run as it would mid-export.
            await _exporting.WaitAsync(linked.Token);
            try
            {
                outcome = await lifecycle.ExecuteAsync(started, linked.Token);
            }
            finally
            {
                _exporting.Release();
            }
        }
        catch (Exception exception)
        {
            var interruption = !linked.IsCancellationRequested ? RunInterruption.None
                : cancelled.IsCancellationRequested ? RunInterruption.Cancelled
                : RunInterruption.Stopping;
            await lifecycle.FailAsync(started, exception, interruption);
            return false;
        }

        // Outside the catch: if the database is away for this write, the export did not fail. The error reaches the
        // engine loop, the lease lapses and the run is claimed again (its output keys are deterministic).
        await lifecycle.CompleteAsync(started, outcome);
        return true;
    }

    /// <summary>
    /// Renews the leases of a batch's unfinished runs in one statement; a run that is no longer ours and Running
    /// (cancelled, or taken over) is cancelled. A failed renewal (the database is briefly away) is retried on the next
    /// beat; only a lapsed lease lets another take over.
    /// </summary>
    private async Task HeartbeatAsync(
        ConcurrentDictionary<Guid, bool> unfinished, IReadOnlyDictionary<Guid, CancellationTokenSource> cancels, CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.HeartbeatInterval, clock, stop);
                var ids = unfinished.Keys.ToList();
                if (ids.Count == 0)
                {
                    continue;
                }

                await using var db = await contexts.CreateDbContextAsync(stop);
                var leaseUntil = clock.GetUtcNow() + Options.LeaseDuration;
                var renewed = await RunLease.OwnedOf(db.BatchExportRuns, ids, Options.InstanceId)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseExpiresAt, leaseUntil), stop);
                if (renewed < ids.Count)
                {
                    // Only then ask which: the common beat is the one statement.
                    var held = (await RunLease.OwnedOf(db.BatchExportRuns, ids, Options.InstanceId).Select(r => r.Id).ToListAsync(stop)).ToHashSet();
                    foreach (var lost in ids.Where(id => !held.Contains(id) && unfinished.ContainsKey(id)))
                    {
                        unfinished.TryRemove(lost, out _);
                        await cancels[lost].CancelAsync();
                    }
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
                    logger.LogWarning(exception, "Heartbeat of {Count} run(s) failed; retrying", unfinished.Count);
                }
            }
        }
    }

    public void Dispose() => _exporting.Dispose();
}
