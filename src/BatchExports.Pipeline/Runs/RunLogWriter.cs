using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Inserts run log lines with group commit: while one insert is in flight, the lines other runs write meanwhile wait
/// and then go in together, in one round trip. Each writer still waits until its own line is stored, so what is
/// written, and when a caller may rely on it, is what one insert per line gave — only the round trips are shared
/// (a boundary's thousands of concurrent runs would otherwise pay one each for every line).
/// </summary>
public sealed class RunLogWriter(IDbContextFactory<BatchExportsDbContext> contexts, TimeProvider clock)
{
    private readonly Lock _lock = new();
    private List<(BatchExportLogEntry Entry, TaskCompletionSource Stored)> _pending = [];
    private bool _flushing;

    /// <summary>A line of a run's log, under whichever parent the run has: its batch export or its on-demand export.</summary>
    public Task WriteRunAsync(int teamId, BatchExportRun run, string level, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        // Stamped when written, not when the group is flushed.
        var entry = ExportLog.RunEntry(teamId, run, level, message, clock.GetUtcNow());
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool flush;
        lock (_lock)
        {
            _pending.Add((entry, stored));
            flush = !_flushing;
            _flushing = true;
        }

        if (flush)
        {
            _ = Task.Run(FlushAsync, CancellationToken.None);
        }

        // Once queued, the line is waited for whatever the token says: a caller that gave up here would go on to write
        // its next line (say, "cancelled") before this one is stored, and the run's log would read out of order.
        return stored.Task;
    }

    /// <summary>Inserts what is pending, group after group, until nothing is left; one flush runs at a time.</summary>
    private async Task FlushAsync()
    {
        while (true)
        {
            List<(BatchExportLogEntry Entry, TaskCompletionSource Stored)> group;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                group = _pending;
                _pending = [];
            }

            try
            {
                await InsertAsync(group.Select(g => g.Entry));
                group.ForEach(g => g.Stored.TrySetResult());
            }
            catch (Exception) when (group.Count > 1)
            {
                // One bad line (say, its export was deleted) must not fail the others' writes: each on its own.
                foreach (var (entry, stored) in group)
                {
                    try
                    {
                        await InsertAsync([entry]);
                        stored.TrySetResult();
                    }
                    catch (Exception exception)
                    {
                        stored.TrySetException(exception);
                    }
                }
            }
            catch (Exception exception)
            {
                group.ForEach(g => g.Stored.TrySetException(exception));
            }
        }
    }

    private async Task InsertAsync(IEnumerable<BatchExportLogEntry> entries)
    {
        // Not the callers' tokens: the group is shared, and a line one caller gave up on may be another's neighbour.
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        db.BatchExportLogEntries.AddRange(entries);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
