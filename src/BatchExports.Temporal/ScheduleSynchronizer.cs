using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace BatchExports.Temporal;

/// <summary>
/// Re-applies every export's schedule from the database (the source of truth), so drift repairs itself: a missing
/// schedule is created, a changed one replaced, the schedule of a deleted export removed. The <c>sync-schedules</c>
/// command and the API's start-up reconcile in Temporal mode both run this.
/// </summary>
public sealed class ScheduleSynchronizer(
    IDbContextFactory<BatchExportsDbContext> contexts,
    ITemporalClient client,
    TemporalCalls calls,
    DestinationRegistry destinations,
    IOptions<TemporalOptions> options)
{
    public sealed record Result(int Applied, int Removed);

    public async Task<Result> SyncAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exports = await db.BatchExports.Include(e => e.Destination).AsNoTracking().ToListAsync(cancellationToken);
        var (applied, removed) = (0, 0);
        foreach (var export in exports)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (export.Deleted)
            {
                try
                {
                    await calls.RunAsync("delete the schedule of a deleted batch export", () => client.GetScheduleHandle(export.Id.ToString()).DeleteAsync());
                    removed++;
                }
                catch (RpcException exception) when (TemporalCalls.IsNotFound(exception))
                {
                }

                continue;
            }

            var schedule = ExportScheduleMapping.ScheduleFor(export, destinations.Get(export.Destination.Type).WorkflowName, options.Value.TaskQueue);
            await calls.RunAsync("save the schedule of a batch export", () => TemporalOrchestrator.ApplyAsync(client, export.Id.ToString(), schedule));
            applied++;
        }

        return new Result(applied, removed);
    }
}
