using System.Globalization;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Security;
using BatchExports.Core.Services.BatchExports;
using BatchExports.Core.Services.FileDownloads;
using BatchExports.Core.Services.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// The one run lifecycle every engine calls: start (checks, status, the start log line), execute (the pipeline),
/// then finish — a completed run records what it exported; a failure is classified (user-fixable → Failed with its
/// <c>latest_error</c>; transient → retried with backoff, or FailedRetryable after the last attempt; cancelled;
/// process stopping → handed back). Engine-specific holds on a run come in through <see cref="IRunOwnership"/>.
/// </summary>
public sealed class RunLifecycle(
    IDbContextFactory<BatchExportsDbContext> contexts,
    IRunPipeline pipeline,
    ConfigCipher cipher,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<RunLifecycle> logger)
{
    private readonly RunLogWriter _runLog = new(contexts, clock);
    private readonly RunFinalWriter _finals = new(contexts);

    /// <summary>
    /// Loads the run's export (its batch export, or its on-demand export as one) and decides whether the attempt may go ahead; returns null when the run ended here
    /// (its export is gone or deleted, or it was interrupted more often than the policy allows).
    /// </summary>
    public async Task<StartedRun?> StartAsync(BatchExportRun run, IRunOwnership ownership, RunRetryPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var exports = await LoadExportsAsync([run], cancellationToken);
        return await StartAsync(run, exports[run.Id], ownership, policy, cancellationToken);
    }

    /// <summary>
    /// The exports of many runs in (at most) two queries, keyed by run id; null where the export no longer exists. An
    /// engine that claimed a batch of runs loads them here once instead of one query per run.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, BatchExport?>> LoadExportsAsync(IReadOnlyCollection<BatchExportRun> runs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exportIds = runs.Where(r => r.BatchExportOnDemandId == null && r.BatchExportId != null).Select(r => r.BatchExportId!.Value).Distinct().ToList();
        var onDemandIds = runs.Where(r => r.BatchExportOnDemandId != null).Select(r => r.BatchExportOnDemandId!.Value).Distinct().ToList();
        var exports = exportIds.Count == 0 ? [] : await db.BatchExports.Include(e => e.Destination).AsNoTracking()
            .Where(e => exportIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, cancellationToken);
        var onDemands = onDemandIds.Count == 0 ? [] : await db.BatchExportOnDemands.Include(o => o.Destination).AsNoTracking()
            .Where(o => onDemandIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        return runs.ToDictionary(r => r.Id, r => r.BatchExportOnDemandId is { } onDemandId
            ? onDemands.TryGetValue(onDemandId, out var onDemand) ? OnDemandExports.AsRunnableExport(onDemand) : null
            : r.BatchExportId is { } exportId && exports.TryGetValue(exportId, out var export) ? export : null);
    }

    /// <summary>
    /// <see cref="StartAsync(BatchExportRun, IRunOwnership, RunRetryPolicy, CancellationToken)"/> with the run's export
    /// already loaded (<see cref="LoadExportsAsync"/>; null when it no longer exists).
    /// </summary>
    public async Task<StartedRun?> StartAsync(BatchExportRun run, BatchExport? export, IRunOwnership ownership, RunRetryPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(ownership);
        ArgumentNullException.ThrowIfNull(policy);
        if (export == null)
        {
            await WriteFinalAsync(run, ownership, RunStatuses.Failed, "The batch export of this run no longer exists.", null, cancellationToken);
            return null;
        }

        var log = new RunLog(_runLog, run, export.TeamId);
        var range = RunInterval.Of(run).Range;
        if (export.Deleted)
        {
            await WriteFinalAsync(run, ownership, RunStatuses.Cancelled, "Cancelled", null, cancellationToken);
            await log.WarningAsync($"Batch export for range {range} was cancelled: the batch export was deleted.", cancellationToken);
            return null;
        }

        if (run.Attempt > policy.MaxAttempts)
        {
            var error = $"The run was interrupted {policy.MaxAttempts} time(s) before it could finish (the process running it stopped), and was given up.";
            await WriteFinalAsync(run, ownership, RunStatuses.FailedRetryable, error, null, cancellationToken);
            await log.ErrorAsync($"Batch export for range {range} failed with an error that can be retried: {error}", cancellationToken);
            return null;
        }

        await log.InfoAsync(
            $"Batch exporting range {range} ({export.Model}) to {export.Destination.Type}, attempt {run.Attempt} of {policy.MaxAttempts}.", cancellationToken);
        return new StartedRun(run, export, log, ownership, policy);
    }

    /// <summary>Exports the run's interval through the pipeline with the decrypted destination config.</summary>
    public Task<RunOutcome> ExecuteAsync(StartedRun started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        var config = cipher.Decrypt(started.Export.Destination.ConfigCiphertext, started.Export.Destination.Id);
        return pipeline.ExecuteAsync(new RunContext(started.Run, started.Export, config, started.Log), cancellationToken);
    }

    /// <summary>Completed: records what was exported, unless the run stopped being ours (a cancel wins).</summary>
    public async Task CompleteAsync(StartedRun started, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(outcome);
        // A download's files become visible in the same transaction as its Completed status, and only if the run is still ours.
        Action<BatchExportsDbContext>? recordFiles = outcome.Files.Count == 0 ? null : db =>
        {
            var now = clock.GetUtcNow();
            db.BatchExportFileDownloads.AddRange(outcome.Files.Select(f => new BatchExportFileDownload
            {
                Id = Guid.CreateVersion7(),
                TeamId = started.Export.TeamId,
                BatchExportRunId = started.Run.Id,
                Key = f.Key,
                SizeBytes = f.SizeBytes,
                ExpiresAt = f.ExpiresAt,
                CreatedAt = now,
                LastUpdatedAt = now,
            }));
        };
        var finished = $"Batch export for range {RunInterval.Of(started.Run).Range} finished successfully with {(outcome.RecordsCompleted == 0 ? "no" : outcome.RecordsCompleted.ToString(CultureInfo.InvariantCulture))} records exported.";
        await WriteFinalAsync(started.Run, started.Ownership, RunStatuses.Completed, null, outcome, CancellationToken.None, recordFiles,
            (started.Export.TeamId, LogLevels.Info, finished));
    }

    /// <summary>Classifies a failed execution and writes what follows from it.</summary>
    public async Task FailAsync(StartedRun started, Exception exception, RunInterruption interruption)
    {
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(exception);
        var (run, log, policy) = (started.Run, started.Log, started.Policy);
        var range = RunInterval.Of(run).Range;
        if (interruption != RunInterruption.None && exception is OperationCanceledException)
        {
            if (interruption == RunInterruption.Cancelled)
            {
                await log.WarningAsync($"Batch export for range {range} was cancelled.", CancellationToken.None);
            }
            else
            {
                await HandBackAsync(started);
            }

            return;
        }

        if (exception is NonRetryableExportException)
        {
            var failed = await WriteFinalAsync(run, started.Ownership, RunStatuses.Failed, exception.Message, null, CancellationToken.None);
            await log.ErrorAsync($"Batch export for range {range} failed with a non-recoverable error: {exception.Message}", CancellationToken.None);
            // On-demand runs have no schedule to pause.
            if (failed && run.BatchExportId is { } exportId)
            {
                await CheckFailureThresholdAsync(exportId);
            }

            return;
        }

        logger.LogWarning(exception, "Run {RunId} attempt {Attempt} failed", run.Id, run.Attempt);
        var error = $"{exception.GetType().Name}: {exception.Message}";
        if (run.Attempt < policy.MaxAttempts)
        {
            var delay = policy.DelayAfter(run.Attempt);
            await ScheduleRetryAsync(started, error, delay);
            await log.WarningAsync(
                $"Attempt {run.Attempt} of {policy.MaxAttempts} failed with an error that can be retried: {error}. Retrying in {delay.TotalSeconds:0} seconds.",
                CancellationToken.None);
        }
        else
        {
            await WriteFinalAsync(run, started.Ownership, RunStatuses.FailedRetryable, error, null, CancellationToken.None);
            await log.ErrorAsync(
                $"Batch export for range {range} failed with an error that can be retried, after {run.Attempt} attempts: {error}", CancellationToken.None);
        }
    }

    /// <summary>PostHog's failure-threshold check after a Failed run; the run stays Failed whatever happens here.</summary>
    private async Task CheckFailureThresholdAsync(Guid exportId)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<FailureThresholdPause>().CheckAsync(exportId, CancellationToken.None))
            {
                logger.LogWarning("Batch export {BatchExportId} paused: too many of its latest runs failed", exportId);
            }
        }
        catch (Exception exception)
        {
            // The next Failed run checks again.
            logger.LogError(exception, "Failure-threshold check of batch export {BatchExportId} failed", exportId);
        }
    }

    /// <summary>
    /// Writes a final status, but only while the run is still ours; returns whether it was. <paramref name="alsoWrite"/>
    /// adds rows that commit with the status, or not at all; <paramref name="line"/> is a log line written only if the
    /// status was. A run held by lease without extra rows goes through the grouped <see cref="RunFinalWriter"/>, its
    /// line in the same statement; otherwise (a download's file rows, a Temporal activity's run) one update of its own.
    /// </summary>
    private async Task<bool> WriteFinalAsync(
        BatchExportRun run,
        IRunOwnership ownership,
        string status,
        string? error,
        RunOutcome? outcome,
        CancellationToken cancellationToken,
        Action<BatchExportsDbContext>? alsoWrite = null,
        (int TeamId, string Level, string Message)? line = null)
    {
        var now = clock.GetUtcNow();
        if (alsoWrite == null && ownership is ILeaseOwnership lease)
        {
            var entry = line is { } l ? ExportLog.RunEntry(l.TeamId, run, l.Level, l.Message, now) : null;
            return await _finals.WriteAsync(new RunFinalWrite(lease, status, error, outcome, now, entry), cancellationToken);
        }

        bool updated;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = alsoWrite == null ? null : await db.Database.BeginTransactionAsync(cancellationToken);
            updated = await ownership.Owned(db.BatchExportRuns)
                .ExecuteUpdateAsync(set =>
                {
                    set.SetProperty(r => r.Status, status)
                        .SetProperty(r => r.LatestError, error)
                        .SetProperty(r => r.RecordsCompleted, r => outcome != null ? (int)Math.Min(outcome.RecordsCompleted, int.MaxValue) : r.RecordsCompleted)
                        .SetProperty(r => r.BytesExported, r => outcome != null ? outcome.BytesExported : r.BytesExported)
                        .SetProperty(r => r.RecordsTotalCount, r => outcome != null && outcome.RecordsTotal != null ? outcome.RecordsTotal : r.RecordsTotalCount)
                        .SetProperty(r => r.FinishedAt, now)
                        .SetProperty(r => r.LastUpdatedAt, now);
                    ownership.Release(set);
                }, cancellationToken) == 1;
            if (updated && alsoWrite != null)
            {
                alsoWrite(db);
                await db.SaveChangesAsync(cancellationToken);
                await transaction!.CommitAsync(cancellationToken);
            }
        }

        if (updated && line is { } written)
        {
            await _runLog.WriteRunAsync(written.TeamId, run, written.Level, written.Message, cancellationToken);
        }

        return updated;
    }

    private async Task ScheduleRetryAsync(StartedRun started, string error, TimeSpan delay)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync();
        await started.Ownership.Owned(db.BatchExportRuns)
            .ExecuteUpdateAsync(set =>
            {
                set.SetProperty(r => r.LatestError, error)
                    .SetProperty(r => r.NextAttemptAt, now + delay)
                    .SetProperty(r => r.LastUpdatedAt, now);
                started.Ownership.Release(set);
            });
    }

    /// <summary>The process is stopping: give the run back at once, without counting this attempt.</summary>
    private async Task HandBackAsync(StartedRun started)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await started.Ownership.Owned(db.BatchExportRuns)
            .ExecuteUpdateAsync(set =>
            {
                set.SetProperty(r => r.Attempt, r => r.Attempt - 1);
                started.Ownership.Release(set);
            });
    }
}
