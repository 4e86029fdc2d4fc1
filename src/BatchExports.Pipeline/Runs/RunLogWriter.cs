using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Inserts run log lines with group commit (<see cref="GroupCommit{TItem, TResult}"/>): the lines many runs write at
/// once go in with one multi-row insert, and each writer still waits until its own line is stored.
/// </summary>
public sealed class RunLogWriter
{
    private readonly IDbContextFactory<BatchExportsDbContext> _contexts;
    private readonly TimeProvider _clock;
    private readonly GroupCommit<BatchExportLogEntry, bool> _group;

    public RunLogWriter(IDbContextFactory<BatchExportsDbContext> contexts, TimeProvider clock)
    {
        _contexts = contexts;
        _clock = clock;
        _group = new GroupCommit<BatchExportLogEntry, bool>(InsertAsync, maxGroup: 2000);
    }

    /// <summary>A line of a run's log, under whichever parent the run has: its batch export or its on-demand export.</summary>
    public Task WriteRunAsync(int teamId, BatchExportRun run, string level, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        // Stamped when written, not when the group is flushed.
        return _group.WriteAsync(ExportLog.RunEntry(teamId, run, level, message, _clock.GetUtcNow()));
    }

    private async Task<IReadOnlyList<bool>> InsertAsync(IReadOnlyList<BatchExportLogEntry> entries)
    {
        // Not the callers' tokens: the group is shared, and a line one caller gave up on may be another's neighbour.
        // One statement over arrays rather than EF's insert of each entity: at a boundary this is most of the engine's SQL.
        await using var db = await _contexts.CreateDbContextAsync(CancellationToken.None);
        await db.Database.ExecuteSqlRawAsync(
            $"""
            INSERT INTO batch_export_log_entries (team_id, batch_export_id, batch_export_on_demand_id, instance_id, "timestamp", level, message)
            SELECT l.team_id, l.batch_export_id, l.batch_export_on_demand_id, l.instance_id, l.ts, l.level, l.message
            FROM {RunLogRows.Unnest} AS l(team_id, batch_export_id, batch_export_on_demand_id, instance_id, ts, level, message, ord)
            ORDER BY l.ord
            """,
            RunLogRows.Parameters(entries),
            CancellationToken.None);
        return [.. entries.Select(_ => true)];
    }
}
