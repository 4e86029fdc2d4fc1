using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Testing;

/// <summary>Rows the API only reads (runs, backfills, log entries, source events), written straight to the database.</summary>
public static class Seed
{
    /// <summary>An organization, a team, a key and one export in it.</summary>
    public static async Task<(TestTenant Tenant, ApiClient Client, Guid Id)> ExportAsync(this ApiFactory factory, JsonObject? body = null, string[]? scopes = null)
    {
        var tenant = await factory.CreateTenantAsync(scopes);
        var client = factory.CreateApiClient(tenant.ApiKey);
        var created = await client.CreateExportOkAsync(tenant.TeamId, body);
        return (tenant, client, Guid.Parse((string)created["id"]!));
    }

    /// <summary>A run of <paramref name="exportId"/> for the hour ending at <paramref name="intervalEnd"/>, created now.</summary>
    public static async Task<BatchExportRun> RunAsync(
        this ApiFactory factory, Guid exportId, DateTimeOffset intervalEnd, string status = RunStatuses.Completed, Action<BatchExportRun>? configure = null)
    {
        var run = factory.NewRun(exportId, intervalEnd, status, configure);
        await factory.SaveAsync(run);
        return run;
    }

    /// <summary>An unsaved run, as <see cref="RunAsync"/> would store it.</summary>
    public static BatchExportRun NewRun(
        this ApiFactory factory, Guid exportId, DateTimeOffset intervalEnd, string status = RunStatuses.Completed, Action<BatchExportRun>? configure = null)
    {
        var now = factory.Clock.GetUtcNow();
        var run = new BatchExportRun
        {
            Id = Guid.CreateVersion7(),
            BatchExportId = exportId,
            Status = status,
            DataIntervalStart = intervalEnd - TimeSpan.FromHours(1),
            DataIntervalEnd = intervalEnd,
            CreatedAt = now,
            LastUpdatedAt = now,
            NextAttemptAt = now,
            FinishedAt = RunStatuses.IsActive(status) ? null : now,
            RecordsCompleted = status == RunStatuses.Completed ? 10 : null,
        };
        configure?.Invoke(run);
        return run;
    }

    /// <summary>Stores seeded rows in one round trip.</summary>
    public static async Task SaveAsync(this ApiFactory factory, params object[] rows)
    {
        await using var db = factory.CreateDbContext();
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }

    public static async Task<BatchExportBackfill> BackfillAsync(
        this ApiFactory factory, int teamId, Guid exportId, string status, Action<BatchExportBackfill>? configure = null)
    {
        var now = factory.Clock.GetUtcNow();
        var backfill = new BatchExportBackfill
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId,
            BatchExportId = exportId,
            StartAt = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
            EndAt = new DateTimeOffset(2021, 1, 1, 1, 0, 0, TimeSpan.Zero),
            Status = status,
            CreatedAt = now,
            LastUpdatedAt = now,
            FinishedAt = BackfillStatuses.IsActive(status) ? null : now,
        };
        configure?.Invoke(backfill);
        await using var db = factory.CreateDbContext();
        db.BatchExportBackfills.Add(backfill);
        await db.SaveChangesAsync();
        return backfill;
    }

    public static async Task<BatchExportLogEntry> LogAsync(
        this ApiFactory factory, int teamId, Guid exportId, string level, string message, DateTimeOffset? timestamp = null, Guid? runId = null)
    {
        var entry = new BatchExportLogEntry
        {
            TeamId = teamId,
            BatchExportId = exportId,
            InstanceId = runId?.ToString(),
            Level = level,
            Message = message,
            Timestamp = timestamp ?? factory.Clock.GetUtcNow(),
        };
        await using var db = factory.CreateDbContext();
        db.BatchExportLogEntries.Add(entry);
        await db.SaveChangesAsync();
        return entry;
    }

    /// <summary>One event of <paramref name="teamId"/> at each of <paramref name="timestamps"/> (ingested at the same instant).</summary>
    public static async Task EventsAsync(this ApiFactory factory, int teamId, params DateTimeOffset[] timestamps)
    {
        await using var db = factory.CreateDbContext();
        foreach (var timestamp in timestamps)
        {
            db.Events.Add(new SourceEvent
            {
                Uuid = Guid.NewGuid(),
                TeamId = teamId,
                Event = "$pageview",
                DistinctId = "user-1",
                Timestamp = timestamp,
                CreatedAt = timestamp,
                InsertedAt = timestamp,
            });
        }

        await db.SaveChangesAsync();
    }

    public static async Task<BatchExport> StoredExportAsync(this ApiFactory factory, Guid exportId)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExports.AsNoTracking().SingleAsync(e => e.Id == exportId);
    }

    /// <summary>The instant <paramref name="minutes"/> past the next full hour: pins the fake clock's place in the hour.</summary>
    public static DateTimeOffset MoveToMinutePastTheHour(this ApiFactory factory, int minutes)
    {
        var now = factory.Clock.GetUtcNow();
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        var target = hour.AddMinutes(minutes);
        factory.Clock.SetUtcNow(target);
        return target;
    }
}
