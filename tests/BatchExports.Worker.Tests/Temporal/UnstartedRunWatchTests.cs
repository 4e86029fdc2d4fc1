using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Core.Persistence;
using BatchExports.Core.Services.Logs;
using BatchExports.Temporal;
using BatchExports.Testing;
using BatchExports.Worker.Tests.Activities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Temporalio.Client;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// Nobody is left guessing (PH#55167): with no worker polling the task queue (DescribeTaskQueue answered by a
/// connection that never dials), a scheduled interval whose run has not started gets one warning in its export's
/// logs naming the queue and the address; none while a worker polls, none once the run exists, none twice; a backfill
/// or a file download still Starting is warned too.
/// </summary>
public sealed class UnstartedRunWatchTests(WorkerFactory factory) : IClassFixture<WorkerFactory>
{
    private readonly PollerCountingWorkflowService _service = new();

    private (UnstartedRunWatch Watch, FakeTimeProvider Clock) Watch(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        var client = new TemporalClient(new AnsweringConnection(_service), new TemporalClientOptions());
        var options = Options.Create(new TemporalOptions { Address = "temporal.internal:7233", UnstartedRunWarningAfter = TimeSpan.FromMinutes(5) });
        var services = factory.WorkerServices;
        return (new UnstartedRunWatch(
            services.GetRequiredService<IDbContextFactory<BatchExportsDbContext>>(), client, services.GetRequiredService<ExportLog>(), clock, options,
            NullLogger<UnstartedRunWatch>.Instance), clock);
    }

    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id, DateTimeOffset CreatedAt)> HourlyExportAsync()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!);
        return (tenant, client, id, (await factory.StoredExportAsync(id)).CreatedAt);
    }

    private static async Task<List<string>> WarningsAsync(ApiClient client, int teamId, Guid id) =>
        (await client.ExportLogsAsync(teamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray()
            .Where(l => (string?)l!["level"] == "WARNING").Select(l => (string)l!["message"]!).ToList();

    [Fact]
    public async Task WithNoPoller_ADueRunThatNeverStarted_IsWarnedOnceInItsExportsLogs_NamingTheQueue()
    {
        var (tenant, client, id, createdAt) = await HourlyExportAsync();
        var (watch, clock) = Watch(createdAt.AddHours(3));

        Assert.True(await watch.CheckAsync(TestContext.Current.CancellationToken) >= 1);
        Assert.Equal(0, await watch.CheckAsync(TestContext.Current.CancellationToken));

        var warning = Assert.Single(await WarningsAsync(client, tenant.TeamId, id));
        var due = ExportCalendar.Floor(new ScheduleSpec(Intervals.Hour), clock.GetUtcNow() - TimeSpan.FromMinutes(5) - ExportScheduleMapping.Jitter(Intervals.Hour));
        Assert.Equal(
            $"The run for the interval ending {Core.Json.WireJson.FormatDateTime(due)} has not started: no worker polls the task queue 'batch-exports-task-queue' on Temporal at temporal.internal:7233. Start BatchExports.Worker.",
            warning);
        Assert.True(_service.Calls >= 2);
    }

    [Fact]
    public async Task WhileAWorkerPolls_NothingIsWarned()
    {
        var (tenant, client, id, createdAt) = await HourlyExportAsync();
        _service.Pollers = 1;
        var (watch, _) = Watch(createdAt.AddHours(3));

        Assert.Equal(0, await watch.CheckAsync(TestContext.Current.CancellationToken));

        Assert.Empty(await WarningsAsync(client, tenant.TeamId, id));
    }

    [Fact]
    public async Task ARunThatStarted_IsNotWarned()
    {
        var (tenant, client, id, createdAt) = await HourlyExportAsync();
        var (watch, clock) = Watch(createdAt.AddHours(3));
        var due = ExportCalendar.Floor(new ScheduleSpec(Intervals.Hour), clock.GetUtcNow() - TimeSpan.FromMinutes(5) - ExportScheduleMapping.Jitter(Intervals.Hour));
        await factory.RunAsync(id, due, RunStatuses.Running);

        await watch.CheckAsync(TestContext.Current.CancellationToken);

        Assert.Empty(await WarningsAsync(client, tenant.TeamId, id));
    }

    [Fact]
    public async Task ABackfillStillStarting_IsWarned()
    {
        var (tenant, client, id, createdAt) = await HourlyExportAsync();
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Starting, b => b.CreatedAt = createdAt);
        // Before the export's first interval is due: only the backfill is late.
        var (watch, _) = Watch(createdAt.AddMinutes(6));

        await watch.CheckAsync(TestContext.Current.CancellationToken);

        Assert.Contains($"Backfill {backfill.Id} has not started: no worker polls the task queue 'batch-exports-task-queue' on Temporal at temporal.internal:7233. Start BatchExports.Worker.",
            await WarningsAsync(client, tenant.TeamId, id));
    }

    [Fact]
    public async Task AFileDownloadStillStarting_IsWarnedOnceInItsLogs()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var path = $"/api/projects/{tenant.TeamId}/file_download_batch_exports";
        var id = (string)(await client.PostAsync($"{path}/", new System.Text.Json.Nodes.JsonObject
        {
            ["file"] = new System.Text.Json.Nodes.JsonObject { ["format"] = "JSONLines" },
            ["data_interval_start"] = "2024-03-04T00:00:00Z",
            ["data_interval_end"] = "2024-03-05T00:00:00Z",
        })).Expect(HttpStatusCode.Accepted)["id"]!;
        var (watch, _) = Watch(factory.Clock.GetUtcNow().AddMinutes(6));

        await watch.CheckAsync(TestContext.Current.CancellationToken);
        await watch.CheckAsync(TestContext.Current.CancellationToken);

        var warnings = (await client.GetAsync($"{path}/{id}/logs/")).Expect(HttpStatusCode.OK)["results"]!.AsArray()
            .Where(l => (string?)l!["level"] == "WARNING").Select(l => (string)l!["message"]!).ToList();
        Assert.Equal(
            ["The file download has not started: no worker polls the task queue 'batch-exports-task-queue' on Temporal at temporal.internal:7233. Start BatchExports.Worker."],
            warnings);
    }
}
