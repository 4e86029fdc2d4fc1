using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Errors;
using BatchExports.Core.Orchestration;
using BatchExports.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Exceptions;

namespace BatchExports.Temporal;

/// <summary>
/// The Temporal engine's side of the orchestration port: one Temporal Schedule per export, backfills as
/// <c>backfill-batch-export</c> and file downloads as <c>file-download-export</c> workflows, cancellations as
/// workflow cancellations (api spec §5.1–5.5, §5.8). It starts workflows and schedules by name with their input
/// records; it never references workflow code. Every call happens inside the caller's transaction, so a refusal
/// leaves the database untouched; each change it makes records its undo, run when that transaction does not commit.
/// </summary>
public sealed class TemporalOrchestrator(
    ITemporalClient client,
    TemporalCalls calls,
    DestinationRegistry destinations,
    BatchExportsDbContext db,
    IOptions<TemporalOptions> options,
    ILogger<TemporalOrchestrator> logger) : IExportOrchestrator
{
    private const string NotSaved = "The change was not saved in the database";

    private readonly List<(string What, Func<Task> Undo)> _undo = [];

    public void BeginChanges() => _undo.Clear();

    public async Task UndoChangesAsync()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var (what, undo) = _undo[i];
            try
            {
                await undo();
            }
            catch (Exception exception)
            {
                // The database stands; the next sync-schedules (or the API's start-up reconcile) repairs a schedule.
                logger.LogError(exception, "Could not {What} in Temporal at {Address} after the database change failed; run sync-schedules to repair it", what, calls.Address);
            }
        }

        _undo.Clear();
    }

    public async Task ExportSavedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        var schedule = await ScheduleForAsync(export, cancellationToken);
        var id = export.Id.ToString();
        Schedule? previous = null;
        await calls.RunAsync("save the schedule of this batch export", async () => previous = await ApplyAsync(client, id, schedule));
        _undo.Add(previous is { } before
            ? ("restore the previous schedule of this batch export", () => client.GetScheduleHandle(id).UpdateAsync(_ => new ScheduleUpdate(before)))
            : ("delete the schedule created for this batch export", () => client.GetScheduleHandle(id).DeleteAsync()));
    }

    /// <summary>
    /// Creates the schedule, or replaces an existing one with the export's current state (PostHog's update_schedule).
    /// Returns the schedule it replaced, or null when it created one.
    /// </summary>
    public static async Task<Schedule?> ApplyAsync(ITemporalClient client, string scheduleId, Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await client.CreateScheduleAsync(scheduleId, schedule);
            return null;
        }
        catch (ScheduleAlreadyRunningException)
        {
            Schedule? previous = null;
            await client.GetScheduleHandle(scheduleId).UpdateAsync(input =>
            {
                previous = input.Description.Schedule;
                return new ScheduleUpdate(schedule);
            });
            return previous;
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

        _undo.Add(export.Paused
            ? ("unpause the schedule again", () => handle.UnpauseAsync($"{NotSaved}: the pause of BatchExport {export.Id} was undone"))
            : ("pause the schedule again", () => handle.PauseAsync($"{NotSaved}: the unpause of BatchExport {export.Id} was undone")));
    }

    public async Task ExportDeletedAsync(BatchExport export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        // Mapped before the delete, so an undo can put the same schedule back.
        var schedule = await ScheduleForAsync(export, cancellationToken);
        var id = export.Id.ToString();
        if (await IgnoringNotFoundAsync("delete the schedule of this batch export", () => client.GetScheduleHandle(id).DeleteAsync()))
        {
            _undo.Add(("re-create the deleted schedule", () => ApplyAsync(client, id, schedule)));
        }
    }

    public async Task RunCancelledAsync(BatchExportRun run, CancellationToken cancellationToken) =>
        await IgnoringNotFoundAsync("cancel the run's workflow", () => client.GetWorkflowHandle(WorkflowIds.Run(run)).CancelAsync());

    public async Task BackfillCreatedAsync(BatchExportBackfill backfill, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        var input = new BackfillWorkflowInput(backfill.TeamId, backfill.BatchExportId, backfill.StartAt, backfill.EndAt, backfill.Id);
        try
        {
            await StartAsync("start the backfill's workflow", WorkflowNames.Backfill, input, WorkflowIds.Backfill(backfill),
                $"Backfill of batch export {backfill.BatchExportId}");
        }
        catch (WorkflowAlreadyStartedException)
        {
            // PostHog's workflow id names the range, so the same range cannot run twice at once.
            throw new ValidationException("A backfill of this batch export over the same range is already running.");
        }
    }

    public async Task BackfillCancelledAsync(BatchExportBackfill backfill, CancellationToken cancellationToken) =>
        await IgnoringNotFoundAsync("cancel the backfill's workflow", () => client.GetWorkflowHandle(WorkflowIds.Backfill(backfill)).CancelAsync());

    /// <summary>PostHog's file download: <c>file-download-export</c> with the run's workflow id, for the run already in Starting.</summary>
    public async Task OnDemandRunCreatedAsync(BatchExportRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var onDemandId = run.BatchExportOnDemandId ?? throw new ArgumentException("The run is not an on-demand export's.", nameof(run));
        var teamId = await db.BatchExportOnDemands.Where(o => o.Id == onDemandId).Select(o => o.TeamId).SingleAsync(cancellationToken);
        var input = new FileDownloadWorkflowInput(teamId, onDemandId, run.Id, run.DataIntervalStart ?? run.DataIntervalEnd, run.DataIntervalEnd);
        await StartAsync("start the file download's workflow", WorkflowNames.FileDownload, input, WorkflowIds.Run(run), $"File download {run.Id}");
    }

    /// <summary>
    /// Starts a workflow whose row the caller is saving. Its undo terminates it rather than cancelling it: a
    /// cancelled workflow would run its cleanup against rows that were never saved (and a backfill would create its own).
    /// </summary>
    private async Task StartAsync(string what, string workflow, object input, string workflowId, string summary)
    {
        WorkflowHandle? handle = null;
        await calls.RunAsync(what, async () => handle = await client.StartWorkflowAsync(
            workflow,
            [input],
            new WorkflowOptions(id: workflowId, taskQueue: options.Value.TaskQueue) { StaticSummary = summary }));
        var started = handle!;
        _undo.Add(($"terminate workflow {workflowId}", () => started.TerminateAsync(NotSaved)));
    }

    private async Task<Schedule> ScheduleForAsync(BatchExport export, CancellationToken cancellationToken)
    {
        if (export.Destination == null)
        {
            await db.Entry(export).Reference(e => e.Destination).LoadAsync(cancellationToken);
        }

        var workflow = destinations.Get(export.Destination!.Type).WorkflowName;
        return ExportScheduleMapping.ScheduleFor(export, workflow, options.Value.TaskQueue);
    }

    /// <summary>A schedule or workflow that is already gone is what delete and cancel want; anything else is not. False when it was gone.</summary>
    private async Task<bool> IgnoringNotFoundAsync(string what, Func<Task> call)
    {
        try
        {
            await calls.RunAsync(what, call);
            return true;
        }
        catch (RpcException exception) when (TemporalCalls.IsNotFound(exception))
        {
            return false;
        }
    }
}
