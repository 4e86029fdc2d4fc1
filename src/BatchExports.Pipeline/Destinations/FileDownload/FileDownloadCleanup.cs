using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Destinations.FileDownload;

/// <summary>
/// Removes expired download files from their storage, by the keys their rows name and nothing else, and marks the
/// rows removed (they stay, so a late download answers "This file download has expired").
/// </summary>
public sealed class FileDownloadCleanup(
    IDbContextFactory<BatchExportsDbContext> contexts,
    IFileDownloadStorage storage,
    IOptions<FileDownloadOptions> options,
    TimeProvider clock,
    ILogger<FileDownloadCleanup> logger) : BackgroundService
{
    private const int BatchSize = 100;

    /// <summary>Removes every file expired by now; returns how many.</summary>
    public async Task<int> RemoveExpiredAsync(CancellationToken cancellationToken)
    {
        var removed = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var expired = await db.BatchExportFileDownloads
                .Where(f => f.RemovedAt == null && f.ExpiresAt != null && f.ExpiresAt <= now)
                .OrderBy(f => f.ExpiresAt).Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (expired.Count == 0)
            {
                return removed;
            }

            foreach (var file in expired)
            {
                await storage.DeleteAsync(file.Key, cancellationToken);
                file.RemovedAt = now;
                file.LastUpdatedAt = now;
            }

            await db.SaveChangesAsync(cancellationToken);
            removed += expired.Count;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.CleanupEnabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RemoveExpiredAsync(stoppingToken) is > 0 and var count)
                {
                    logger.LogInformation("Removed {Count} expired file download(s)", count);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database or the bucket is briefly away: the next round removes what this one could not.
                logger.LogWarning(exception, "Removing expired file downloads failed; retrying later");
            }

            try
            {
                await Task.Delay(options.Value.CleanupInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
