using BatchExports.Core.Contracts;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Core.Services.Logs;

/// <summary>The validated query parameters of <c>…/logs</c> (PostHog's LogEntryMixin).</summary>
public sealed record LogQuery(
    int Limit,
    int Offset,
    DateTimeOffset? After,
    DateTimeOffset? Before,
    IReadOnlyList<string> Levels,
    string? Search,
    string? InstanceId);

public sealed class LogReader(BatchExportsDbContext db)
{
    /// <summary>Entries of one export (or one run, via <see cref="LogQuery.InstanceId"/>), newest first.</summary>
    public async Task<(int Count, IReadOnlyList<LogEntryResponse> Results)> ReadAsync(Guid exportId, LogQuery query, CancellationToken cancellationToken)
    {
        var entries = db.BatchExportLogEntries.AsNoTracking().Where(l => l.BatchExportId == exportId);
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
            .Select(l => new LogEntryResponse(l.BatchExportId.ToString(), l.InstanceId, l.Timestamp, l.Level, l.Message))
            .ToListAsync(cancellationToken);
        return (count, page);
    }
}
