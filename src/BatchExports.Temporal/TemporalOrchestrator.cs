using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Errors;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;

namespace BatchExports.Temporal;

/// <summary>
/// The Temporal engine's side of the orchestration port: one Temporal Schedule per export, backfills as
/// <c>backfill-batch-export</c> workflows, cancellations as workflow cancellations (api spec §5.1–5.5). It starts
/// workflows and schedules by name with their input records; it never references workflow code. Every call happens
/// inside the caller's transaction, so a refusal leaves the database untouched.
/// </summary>
public sealed class TemporalOrchestrator(
    ITemporalClient client,
    TemporalCalls calls,
    DestinationRegistry destinations,
    BatchExportsDbContext db,
    IOptions<TemporalOptions> options) : IExportOrchestrator
{
    /// <summary>The worker has no on-demand workflow yet: a file download is refused here, never left Starting forever.</summary>
    public Task OnDemandRunCreatedAsync(BatchExportRun run, CancellationToken cancellationToken) =>
        throw new UnsupportedByEngineException(
            "File downloads run on the embedded engine only; this server uses the Temporal engine (BatchExports:Engine:Kind = Temporal), whose worker does not run them yet.");

    public async Task ExportSavedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        var schedule = await ScheduleForAsync(export, cancellationToken);
        await calls.RunAsync("save the schedule of this batch export", () => ApplyAsync(client, export.Id.ToString(), schedule));
    }

    /// <summary>Creates the schedule, or replaces an existing one with the export's current state (PostHog's update_schedule).</summary>
    public static async Task ApplyAsync(ITemporalClient client, string scheduleId, Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.CreateScheduleAsync(scheduleId, schedule);
        }
        catch (ScheduleAlreadyRunningException)
        {
            await client.GetScheduleHandle(scheduleId).UpdateAsync(_ => new ScheduleUpdate(schedule));
        }
    }

    public async Task ExportPauseChangedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        var what = export.Paused ? "pause" : "unpause";
        var handle = client.GetScheduleHandle(export.Id.ToString());
        try
        {
            await calls.RunAsync($"{what} the schedule of this batch export", () => export.Paused
                ? handle.PauseAsync($"Pause requested for BatchExport {export.Id} in team {export.TeamId}")
                : handle.UnpauseAsync($"Unpause requested for BatchExport {export.Id} in team {export.TeamId}"));
        }
        catch (RpcException exception) when (TemporalCalls.IsNotFound(exception))
        {
            // PostHog's answer when the schedule is gone (api spec §4.7); sync-schedules re-creates it.
            throw new ValidationException($"Invalid request to {what} a BatchExport could not be carried out");
        }
    }

    public async Task ExportDeletedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        await IgnoringNotFoundAsync("delete the schedule of this batch export", () => client.GetScheduleHandle(export.Id.ToString()).DeleteAsync());
    }

    public Task RunCancelledAsync(BatchExportRun run, CancellationToken cancellationToken) =>
        IgnoringNotFoundAsync("cancel the run's workflow", () => client.GetWorkflowHandle(WorkflowIds.Run(run)).CancelAsync());

    public async Task BackfillCreatedAsync(BatchExportBackfill backfill, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        var input = new BackfillWorkflowInput(backfill.TeamId, backfill.BatchExportId, backfill.StartAt, backfill.EndAt, backfill.Id);
        try
        {
            await calls.RunAsync("start the backfill's workflow", () => client.StartWorkflowAsync(
                WorkflowNames.Backfill,
                [input],
                new WorkflowOptions(id: WorkflowIds.Backfill(backfill), taskQueue: options.Value.TaskQueue)
                {
                    StaticSummary = $"Backfill of batch export {backfill.BatchExportId}",
                }));
        }
        catch (WorkflowAlreadyStartedException)
        {
            // PostHog's workflow id names the range, so the same range cannot run twice at once.
            throw new ValidationException("A backfill of this batch export over the same range is already running.");
        }
    }

    public Task BackfillCancelledAsync(BatchExportBackfill backfill, CancellationToken cancellationToken) =>
        IgnoringNotFoundAsync("cancel the backfill's workflow", () => client.GetWorkflowHandle(WorkflowIds.Backfill(backfill)).CancelAsync());

    private async Task<Schedule> ScheduleForAsync(BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (export.Destination == null)
        {
            await db.Entry(export).Reference(e => e.Destination).LoadAsync(cancellationToken);
        }

        var workflow = destinations.Get(export.Destination!.Type).WorkflowName;
        return ExportScheduleMapping.ScheduleFor(export, workflow, options.Value.TaskQueue);
    }

    /// <summary>A schedule or workflow that is already gone is what delete and cancel want; anything else is not.</summary>
    private async Task IgnoringNotFoundAsync(string what, Func<Task> call)
    {
        try
        {
            await calls.RunAsync(what, call);
        }
        catch (RpcException exception) when (TemporalCalls.IsNotFound(exception))
        {
        }
    }
}
