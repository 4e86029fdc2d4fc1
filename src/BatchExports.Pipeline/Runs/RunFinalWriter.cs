using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// One run's final write, for a run held by lease: its status, error and counts (null: leave the stored value), and a
/// log line written with it only if the run was still ours (a completed run's "finished successfully").
/// </summary>
public sealed record RunFinalWrite(
    ILeaseOwnership Lease,
    string Status,
    string? Error,
    RunOutcome? Outcome,
    DateTimeOffset FinishedAt,
    BatchExportLogEntry? Line);

/// <summary>
/// Writes the final statuses of runs held by lease with group commit (<see cref="GroupCommit{TItem, TResult}"/>): the
/// runs that finish while one write is in flight go in together, in one <c>UPDATE … FROM unnest(…)</c> that also
/// inserts their lines. Each caller learns whether its own run was still ours — a run cancelled or taken over
/// meanwhile is not written, nor is its line — exactly as one <c>UPDATE</c> per run with
/// <see cref="IRunOwnership.Owned"/> did.
/// </summary>
public sealed class RunFinalWriter
{
    private readonly IDbContextFactory<BatchExportsDbContext> _contexts;
    private readonly GroupCommit<RunFinalWrite, bool> _group;

    public RunFinalWriter(IDbContextFactory<BatchExportsDbContext> contexts)
    {
        _contexts = contexts;
        _group = new GroupCommit<RunFinalWrite, bool>(WriteGroupAsync, maxGroup: 2000);
    }

    /// <summary>Returns whether the run was still ours, so the status (and the line) were written.</summary>
    public Task<bool> WriteAsync(RunFinalWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        return _group.WriteAsync(write);
    }

    private async Task<IReadOnlyList<bool>> WriteGroupAsync(IReadOnlyList<RunFinalWrite> writes)
    {
        // Not the callers' tokens: the group is shared. The ownership test is RunLease's: its owner's lease, and Running.
        await using var db = await _contexts.CreateDbContextAsync(CancellationToken.None);
        var written = await db.Database.SqlQueryRaw<Guid>(
            $"""
            WITH u AS (
                SELECT * FROM unnest(@ids, @owners, @statuses, @errors, @records, @bytes, @totals, @finished) WITH ORDINALITY
                    AS u(id, owner, status, error, records, bytes, total, finished, ord)
            ), done AS (
                UPDATE batch_export_runs r
                SET status = u.status, latest_error = u.error,
                    records_completed = COALESCE(u.records, r.records_completed),
                    bytes_exported = COALESCE(u.bytes, r.bytes_exported),
                    records_total_count = COALESCE(u.total, r.records_total_count),
                    finished_at = u.finished, last_updated_at = u.finished,
                    lease_owner = NULL, lease_expires_at = NULL
                FROM u
                WHERE r.id = u.id AND r.lease_owner = u.owner AND r.status = 'Running'
                RETURNING r.id
            ), logged AS (
                INSERT INTO batch_export_log_entries (team_id, batch_export_id, batch_export_on_demand_id, instance_id, "timestamp", level, message)
                SELECT l.team_id, l.batch_export_id, l.batch_export_on_demand_id, l.instance_id, l.ts, l.level, l.message
                FROM {RunLogRows.Unnest} AS l(team_id, batch_export_id, batch_export_on_demand_id, instance_id, ts, level, message, ord)
                JOIN u ON u.ord = l.ord
                WHERE l.message IS NOT NULL AND u.id IN (SELECT id FROM done)
                ORDER BY l.ord
            )
            SELECT id AS "Value" FROM done
            """,
            [
                new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = writes.Select(w => w.Lease.RunId).ToArray() },
                new NpgsqlParameter("owners", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = writes.Select(w => w.Lease.LeaseOwner).ToArray() },
                new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = writes.Select(w => w.Status).ToArray() },
                new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = writes.Select(w => w.Error).ToArray() },
                new NpgsqlParameter("records", NpgsqlDbType.Array | NpgsqlDbType.Integer)
                {
                    Value = writes.Select(w => w.Outcome is { } o ? (int?)(int)Math.Min(o.RecordsCompleted, int.MaxValue) : null).ToArray(),
                },
                new NpgsqlParameter("bytes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = writes.Select(w => w.Outcome?.BytesExported).ToArray() },
                new NpgsqlParameter("totals", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = writes.Select(w => w.Outcome?.RecordsTotal).ToArray() },
                // timestamptz parameters must be UTC.
                new NpgsqlParameter("finished", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = writes.Select(w => w.FinishedAt.ToUniversalTime()).ToArray() },
                .. RunLogRows.Parameters([.. writes.Select(w => w.Line)]),
            ]).ToListAsync(CancellationToken.None);
        var ours = written.ToHashSet();
        return [.. writes.Select(w => ours.Contains(w.Lease.RunId))];
    }
}
