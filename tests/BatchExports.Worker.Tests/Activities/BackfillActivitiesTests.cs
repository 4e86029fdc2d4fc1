using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Testing;
using BatchExports.Worker.Activities;
using Microsoft.EntityFrameworkCore;
using Temporalio.Testing;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Worker.Tests.Activities;

/// <summary>
/// The backfill workflow's activities through <see cref="ActivityEnvironment"/> against real PostgreSQL: the row is
/// created when the API did not, planned by the shared <see cref="Pipeline.Runs.BackfillPlanner"/>, finished with what
/// its runs exported, and a catch-up unpauses the export and its Temporal schedule.
/// </summary>
public sealed class BackfillActivitiesTests(WorkerFactory factory) : IClassFixture<WorkerFactory>
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id)> ExportAsync(params DateTimeOffset[] events)
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!);
        await factory.EventsAsync(tenant.TeamId, events);
        return (tenant, client, id);
    }

    private Task RunAsync(Func<BackfillActivities, Task> activity) => factory.RunAsync(new ActivityEnvironment(), activity);

    private async Task<BatchExportBackfill> StoredAsync(Guid backfillId)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportBackfills.AsNoTracking().SingleAsync(b => b.Id == backfillId);
    }

    [Fact]
    public async Task CreateThenPlan_ABackfillStartedOutsideTheApi_GetsItsRowAndIsPlannedRunning()
    {
        var (tenant, _, id) = await ExportAsync(Start.AddMinutes(90), Start.AddMinutes(150));
        var input = new BackfillWorkflowInput(tenant.TeamId, id, Start, Start.AddHours(3), Guid.CreateVersion7());

        await RunAsync(a => a.CreateBackfillAsync(input));
        await RunAsync(a => a.CreateBackfillAsync(input));
        var plan = await factory.RunAsync<BackfillActivities, BackfillPlan>(new ActivityEnvironment(), a => a.PlanAsync(input.BackfillId));
        // A retry after the plan was saved plans nothing again.
        var replanned = await factory.RunAsync<BackfillActivities, BackfillPlan>(new ActivityEnvironment(), a => a.PlanAsync(input.BackfillId));

        Assert.Equal(BackfillStatuses.Running, plan.Status);
        // The data begins in the second hour: the walk starts there (adjusted_start_at).
        Assert.Equal(Start.AddHours(1), plan.Start);
        Assert.Equal(Start.AddHours(3), plan.EndAt);
        Assert.Equal("no-op", plan.Workflow);
        Assert.Equal((id, tenant.TeamId, "hour"), (plan.Inputs.BatchExportId, plan.Inputs.TeamId, plan.Inputs.Interval));
        Assert.Equal(plan, replanned with { Inputs = plan.Inputs });
        var stored = await StoredAsync(input.BackfillId);
        Assert.Equal((BackfillStatuses.Running, 2L), (stored.Status, stored.TotalRecordsCount));
        await using var db = factory.CreateDbContext();
        Assert.Equal(1, await db.BatchExportBackfills.CountAsync(b => b.BatchExportId == id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Plan_ARangeWithNoData_CompletesAtOnce_SoTheWorkflowRunsNothing()
    {
        var (tenant, client, id) = await ExportAsync();
        var input = new BackfillWorkflowInput(tenant.TeamId, id, Start, Start.AddHours(3), Guid.CreateVersion7());
        await RunAsync(a => a.CreateBackfillAsync(input));

        var plan = await factory.RunAsync<BackfillActivities, BackfillPlan>(new ActivityEnvironment(), a => a.PlanAsync(input.BackfillId));

        Assert.Equal(BackfillStatuses.Completed, plan.Status);
        var logs = (await client.ExportLogsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        Assert.Contains(logs, l => ((string)l!["message"]!).EndsWith("completed at once: there is no events data to export in its range.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Finish_CountsWhatItsCompletedRunsExported_AndLogsTheEnd()
    {
        var (tenant, client, id) = await ExportAsync(Start.AddMinutes(10));
        var input = new BackfillWorkflowInput(tenant.TeamId, id, Start, Start.AddHours(2), Guid.CreateVersion7());
        await RunAsync(a => a.CreateBackfillAsync(input));
        await factory.RunAsync<BackfillActivities, BackfillPlan>(new ActivityEnvironment(), a => a.PlanAsync(input.BackfillId));
        await factory.SaveAsync(
            factory.NewRun(id, Start.AddHours(1), RunStatuses.Completed, r => (r.BackfillId, r.RecordsCompleted) = (input.BackfillId, 7)),
            factory.NewRun(id, Start.AddHours(2), RunStatuses.Failed, r => (r.BackfillId, r.RecordsCompleted) = (input.BackfillId, 5)));

        await RunAsync(a => a.FinishBackfillAsync(new FinishBackfillInput(input.BackfillId, BackfillStatuses.Completed)));

        var stored = await StoredAsync(input.BackfillId);
        Assert.Equal(BackfillStatuses.Completed, stored.Status);
        Assert.NotNull(stored.FinishedAt);
        var logs = (await client.ExportLogsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        Assert.Contains(logs, l => (string?)l!["message"] == $"Backfill {input.BackfillId} completed: 7 record(s) exported.");
    }

    [Fact]
    public async Task Finish_OfABackfillTheApiCancelled_LeavesItCancelled()
    {
        var (tenant, client, id) = await ExportAsync(Start.AddMinutes(10));
        var backfill = await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(Start), Iso(Start.AddHours(2)));
        var backfillId = Guid.Parse((string)backfill["id"]!);
        (await client.CancelBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);

        await RunAsync(a => a.FinishBackfillAsync(new FinishBackfillInput(backfillId, BackfillStatuses.Failed)));

        Assert.Equal(BackfillStatuses.Cancelled, (await StoredAsync(backfillId)).Status);
    }

    [Fact]
    public async Task Unpause_AfterCatchingUp_UnpausesTheExportAndItsSchedule()
    {
        var (tenant, client, id) = await ExportAsync();
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);

        await RunAsync(a => a.UnpauseAsync(id));
        await RunAsync(a => a.UnpauseAsync(id));

        Assert.False((bool)(await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);
        Assert.False(factory.Temporal.Schedules[id.ToString()].State.Paused);
        Assert.Equal([$"pause {id}", $"unpause {id}"], factory.Temporal.Calls.Where(c => c.EndsWith(id.ToString(), StringComparison.Ordinal) && c.Contains("pause", StringComparison.Ordinal)).ToList());
    }
}
