using BatchExports.Core.Services.Backfills;

namespace BatchExports.Core.Services.BatchExports;

/// <summary>PostHog's pause and unpause; an unpause may backfill the paused period.</summary>
public sealed class BatchExportPausing(ExportLookup lookup, ScheduledSave save, BackfillService backfills, TimeProvider clock)
{
    /// <summary>A no-op (and <c>last_updated_at</c> untouched) when already paused; otherwise the schedule is paused and <c>last_paused_at</c> set.</summary>
    public async Task PauseAsync(ExportScope scope, string rawId, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawId, tracked: true, cancellationToken);
        if (export.Paused)
        {
            return;
        }

        var now = clock.GetUtcNow();
        export.Paused = true;
        export.LastPausedAt = now;
        export.LastUpdatedAt = now;
        await save.SavePauseChangeAsync(export, cancellationToken);
    }

    /// <summary>A no-op when not paused. With <paramref name="backfill"/>, the paused period (last pause to now) is backfilled.</summary>
    public async Task UnpauseAsync(ExportScope scope, string rawId, bool backfill, CancellationToken cancellationToken)
    {
        var export = await lookup.FindAsync(scope, rawId, tracked: true, cancellationToken);
        if (!export.Paused)
        {
            return;
        }

        export.Paused = false;
        export.LastUpdatedAt = clock.GetUtcNow();
        await save.SavePauseChangeAsync(export, cancellationToken);
        if (backfill && export.LastPausedAt is { } pausedAt)
        {
            await backfills.StartAsync(export, pausedAt, export.LastUpdatedAt, enforceLimit: false, cancellationToken);
        }
    }
}
