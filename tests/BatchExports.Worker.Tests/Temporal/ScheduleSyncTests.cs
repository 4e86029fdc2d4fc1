using System.Diagnostics;
using BatchExports.Temporal;
using BatchExports.Testing;
using BatchExports.Worker.Tests.Activities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Temporalio.Client.Schedules;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// Drift repairs itself: <c>sync-schedules</c> and the API's start-up reconcile re-apply every export's schedule from
/// the database through the client (caught by the recording interceptor) — a lost schedule is re-created as the
/// export says, a changed one replaced, a deleted export's removed. The command, with Temporal away, exits non-zero
/// with a final error line naming the address.
/// </summary>
public sealed class ScheduleSyncTests(WorkerFactory factory) : IClassFixture<WorkerFactory>
{
    private async Task<(Guid Lost, Guid Drifted, Guid Deleted)> DriftAsync()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination(), interval: "day")))["id"]!));
        }

        var (lost, drifted, deleted) = (ids[0], ids[1], ids[2]);
        factory.Temporal.Schedules.TryRemove(lost.ToString(), out _);
        var schedule = factory.Temporal.Schedules[drifted.ToString()];
        factory.Temporal.Schedules[drifted.ToString()] = schedule with { State = schedule.State with { Paused = true } };
        await using var db = factory.CreateDbContext();
        // Deleted while Temporal missed it: the row says deleted, the schedule is still there.
        await db.BatchExports.Where(e => e.Id == deleted).ExecuteUpdateAsync(set => set.SetProperty(e => e.Deleted, true), TestContext.Current.CancellationToken);
        return (lost, drifted, deleted);
    }

    private void AssertRepaired(Guid lost, Guid drifted, Guid deleted)
    {
        var restored = factory.Temporal.Schedules[lost.ToString()];
        Assert.Equal("no-op", ((ScheduleActionStartWorkflow)restored.Action).Workflow);
        Assert.Equal("batch-exports-task-queue", ((ScheduleActionStartWorkflow)restored.Action).Options.TaskQueue);
        Assert.False(factory.Temporal.Schedules[drifted.ToString()].State.Paused);
        Assert.False(factory.Temporal.Schedules.ContainsKey(deleted.ToString()));
    }

    [Fact]
    public async Task Sync_RecreatesALostSchedule_ReplacesADriftedOne_AndRemovesADeletedExports()
    {
        var (lost, drifted, deleted) = await DriftAsync();

        var result = await factory.WorkerServices.GetRequiredService<ScheduleSynchronizer>().SyncAsync(TestContext.Current.CancellationToken);

        AssertRepaired(lost, drifted, deleted);
        Assert.True(result.Applied >= 2);
        Assert.True(result.Removed >= 1);
        Assert.Contains($"delete {deleted}", factory.Temporal.Calls);
    }

    [Fact]
    public async Task ReconcileOnStart_RepairsTheSameDrift_InTheBackground()
    {
        var (lost, drifted, deleted) = await DriftAsync();
        var reconcile = new ScheduleReconcileOnStart(
            factory.WorkerServices.GetRequiredService<ScheduleSynchronizer>(), TimeProvider.System, NullLogger<ScheduleReconcileOnStart>.Instance);

        await reconcile.StartAsync(TestContext.Current.CancellationToken);
        await reconcile.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        AssertRepaired(lost, drifted, deleted);
    }

    [Fact]
    public async Task SyncSchedulesCommand_WhenTemporalIsUnreachable_ExitsNonZero_PrintingOnlyOneLineNamingTheAddress()
    {
        // An export whose schedule the command must apply, whatever ran before in this class.
        var tenant = await factory.CreateTenantAsync();
        await factory.CreateApiClient(tenant.ApiKey).CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination(), interval: "day"));
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BatchExports.Api.dll"), "sync-schedules"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__BatchExports"] = factory.ConnectionString;
        start.Environment["BatchExports__EncryptionKey"] = ApiFactory.EncryptionKey;
        start.Environment["Temporal__Address"] = "127.0.0.1:1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(0, process.ExitCode);
        Assert.Equal("", await stdout);
        // An operator command prints its own lines only: here one error line, no log lines of the host or of EF before it.
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: Temporal at 127.0.0.1:1 ", line, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", line, StringComparison.Ordinal);
    }
}
