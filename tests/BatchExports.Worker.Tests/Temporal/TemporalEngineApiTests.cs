using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Temporalio.Client;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>
/// The API in Temporal mode, over real HTTP and PostgreSQL, with the adapter's calls caught by a client interceptor on
/// a lazily connected client: what each operation does to the schedule and workflows (api spec §5.1–5.5).
/// </summary>
public sealed class TemporalEngineApiTests(TemporalEngineApiTests.Factory factory) : IClassFixture<TemporalEngineApiTests.Factory>
{
    [Fact]
    public async Task CreatePatchPauseUnpauseDelete_ApplyToTheExportsSchedule()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination(), interval: "day")))["id"]!;
        Assert.Equal("no-op", ((Temporalio.Client.Schedules.ScheduleActionStartWorkflow)factory.Temporal.Schedules[id].Action).Workflow);

        (await client.PatchExportAsync(tenant.TeamId, id, new JsonObject { ["interval"] = "hour" })).Expect(HttpStatusCode.OK);
        Assert.Single(factory.Temporal.Schedules[id].Spec.Intervals);

        (await client.PauseExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        Assert.True(factory.Temporal.Schedules[id].State.Paused);
        (await client.UnpauseExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK);
        Assert.False(factory.Temporal.Schedules[id].State.Paused);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteExportAsync(tenant.TeamId, id)).Status);
        Assert.False(factory.Temporal.Schedules.ContainsKey(id));
        Assert.Equal(
            [$"create {id}", $"create {id}", $"update {id}", $"pause {id}", $"unpause {id}", $"delete {id}"],
            factory.Temporal.Calls.Where(c => c.EndsWith(id, StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public async Task Pause_OfAMissingSchedule_IsPostHogs400AndChangesNothing()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!;
        factory.Temporal.Schedules.TryRemove(id, out _);

        (await client.PauseExportAsync(tenant.TeamId, id)).ExpectError(
            HttpStatusCode.BadRequest, "validation_error", "Invalid request to pause a BatchExport could not be carried out");

        Assert.False((bool)(await client.GetExportAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["paused"]!);
    }

    [Fact]
    public async Task Delete_OfAMissingSchedule_Succeeds()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!;
        factory.Temporal.Schedules.TryRemove(id, out _);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteExportAsync(tenant.TeamId, id)).Status);
    }

    [Fact]
    public async Task BackfillCreateAndCancel_StartAndCancelTheBackfillWorkflow()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!;

        var backfill = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/",
            new JsonObject { ["start_at"] = "2024-01-01T00:00:00Z", ["end_at"] = "2024-01-01T03:00:00Z" })).Expect(HttpStatusCode.Created);
        var workflowId = $"{id}-Backfill-2024-01-01T00:00:00+00:00-2024-01-01T03:00:00+00:00";
        Assert.Contains($"start backfill-batch-export {workflowId} on batch-exports-task-queue", factory.Temporal.Calls);
        var input = Assert.IsType<BackfillWorkflowInput>(factory.Temporal.StartedWorkflows[workflowId]);
        Assert.Equal(Guid.Parse((string)backfill["id"]!), input.BackfillId);

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/{backfill["id"]}/cancel", null)).Expect(HttpStatusCode.OK);
        Assert.Contains($"cancel {workflowId}", factory.Temporal.Calls);
    }

    [Fact]
    public async Task RunCancel_CancelsTheRunsWorkflow()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = Guid.Parse((string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(NoOpDestination())))["id"]!);
        var end = new DateTimeOffset(2024, 1, 1, 5, 0, 0, TimeSpan.Zero);
        var runId = Guid.CreateVersion7();
        await using (var db = factory.CreateDbContext())
        {
            db.BatchExportRuns.Add(new BatchExportRun
            {
                Id = runId, BatchExportId = id, Status = RunStatuses.Running, DataIntervalStart = end.AddHours(-1), DataIntervalEnd = end,
                CreatedAt = factory.Clock.GetUtcNow(), LastUpdatedAt = factory.Clock.GetUtcNow(), NextAttemptAt = factory.Clock.GetUtcNow(),
            });
            await db.SaveChangesAsync();
        }

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/{runId}/cancel", null)).Expect(HttpStatusCode.OK);

        Assert.Contains($"cancel {id}-2024-01-01T05:00:00Z", factory.Temporal.Calls);
    }

    public sealed class Factory : ApiFactory
    {
        public RecordingTemporal Temporal { get; } = new();

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["BatchExports:Engine:Kind"] = "Temporal",
            ["Temporal:Address"] = "127.0.0.1:1",
            // The recorder answers no DescribeTaskQueue; keep the background checks out of these tests.
            ["Temporal:UnstartedRunCheckInterval"] = "1.00:00:00",
            ["Serilog:MinimumLevel:Default"] = "Error",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<ITemporalClient>();
                services.AddSingleton(Temporal.Client);
                // The start-up reconcile is covered by its own test; here every call is the test's.
                services.RemoveAll<Microsoft.Extensions.Hosting.IHostedService>();
            });
        }
    }
}
