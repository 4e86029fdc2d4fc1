using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.BatchExports;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Logs;

/// <summary>Reads the user-visible log of an export or of one of its runs (PostHog's log entries API).</summary>
public sealed class LogReader(ExportLookup lookup, BatchExportsDbContext db)
{
    public async Task<(int Count, IReadOnlyList<BatchExportLogEntry> Results)> ReadExportLogsAsync(
        ExportScope scope, string rawExportId, LogQuery query, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawExportId, tracked: false, cancellationToken);
        return await ReadAsync(db.BatchExportLogEntries.Where(l => l.BatchExportId == export.Id), query, cancellationToken);
    }

    /// <summary>One run's entries only, whatever <see cref="LogQuery.InstanceId"/> the query carried.</summary>
    public async Task<(int Count, IReadOnlyList<BatchExportLogEntry> Results)> ReadRunLogsAsync(
        ExportScope scope, string rawExportId, string rawRunId, LogQuery query, CancellationToken cancellationToken)
    {
        var (export, run) = await lookup.FindRunAsync(scope, rawExportId, rawRunId, tracked: false, cancellationToken);
        return await ReadAsync(db.BatchExportLogEntries.Where(l => l.BatchExportId == export.Id), query with { InstanceId = run.Id.ToString() }, cancellationToken);
    }

    /// <summary>A file download's entries: its one run's, whatever <see cref="LogQuery.InstanceId"/> the query carried.</summary>
    public async Task<(int Count, IReadOnlyList<BatchExportLogEntry> Results)> ReadFileDownloadLogsAsync(
        ExportScope scope, string rawRunId, LogQuery query, CancellationToken cancellationToken)
    {
        var run = await lookup.FindOnDemandRunAsync(scope, rawRunId, tracked: false, cancellationToken);
        return await ReadAsync(
            db.BatchExportLogEntries.Where(l => l.BatchExportOnDemandId == run.BatchExportOnDemandId), query with { InstanceId = run.Id.ToString() }, cancellationToken);
    }

    /// <summary>Entries of one log source (or one run of it, via <see cref="LogQuery.InstanceId"/>), newest first.</summary>
    private static async Task<(int Count, IReadOnlyList<BatchExportLogEntry> Results)> ReadAsync(
        IQueryable<BatchExportLogEntry> source, LogQuery query, CancellationToken cancellationToken)
    {
        var entries = source.AsNoTracking();
        if (query.After is { } after)
        {
            entries = entries.Where(l => l.Timestamp > after);
        }

        if (query.Before is { } before)
        {
            entries = entries.Where(l => l.Timestamp < before);
        }

        if (query.Levels.Count > 0)
        {
            var levels = query.Levels.ToList();
            entries = entries.Where(l => levels.Contains(l.Level));
        }

        if (!string.IsNullOrEmpty(query.Search))
        {
            var pattern = "%" + query.Search.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            // The escape character must be named: without it Npgsql adds ESCAPE '', and the escaped % and _ match nothing.
            entries = entries.Where(l => EF.Functions.ILike(l.Message, pattern, "\\"));
        }

        if (query.InstanceId != null)
        {
            entries = entries.Where(l => l.InstanceId == query.InstanceId);
        }

        var count = await entries.CountAsync(cancellationToken);
        var page = await entries.OrderByDescending(l => l.Timestamp).ThenByDescending(l => l.Id)
            .Skip(query.Offset).Take(query.Limit)
            .ToListAsync(cancellationToken);
        return (count, page);
    }
}
