using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Temporal;
using BatchExports.Testing;
using BatchExports.Worker.Activities;
using Microsoft.EntityFrameworkCore;
using Temporalio.Testing;

namespace BatchExports.Worker.Tests.Activities;

/// <summary>
/// File downloads in Temporal mode: the API starts PostHog's <c>file-download-export</c> for the run it created, the
/// worker's export activity executes that run through the same lifecycle and pipeline (the FileDownload destination
/// writes the files and their rows), and the API serves the file; a cancel cancels the workflow.
/// </summary>
public sealed class FileDownloadActivitiesTests(WorkerFactory factory) : IClassFixture<WorkerFactory>
{
    private static readonly DateTimeOffset Start = new(2024, 3, 4, 0, 0, 0, TimeSpan.Zero);

    private static string DownloadsPath(int teamId) => $"/api/projects/{teamId}/file_download_batch_exports";

    private static JsonObject Body() => new()
    {
        ["file"] = new JsonObject { ["format"] = "JSONLines" },
        ["model"] = "events",
        ["data_interval_start"] = "2024-03-04T00:00:00Z",
        ["data_interval_end"] = "2024-03-05T00:00:00Z",
    };

    private async Task<(TestTenant Tenant, ApiClient Client, BatchExportRun Run, string WorkflowId)> CreateAsync(int events)
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        await factory.EventsAsync(tenant.TeamId, Enumerable.Range(1, events).Select(i => Start.AddMinutes(i)).ToArray());
        // Outside the interval: must not be exported.
        await factory.EventsAsync(tenant.TeamId, Start.AddDays(1).AddMinutes(1));
        var id = Guid.Parse((string)(await client.PostAsync($"{DownloadsPath(tenant.TeamId)}/", Body())).Expect(HttpStatusCode.Accepted)["id"]!);
        await using var db = factory.CreateDbContext();
        var run = await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == id);
        return (tenant, client, run, $"{run.BatchExportOnDemandId}-2024-03-04T00:00:00Z-2024-03-05T00:00:00Z");
    }

    [Fact]
    public async Task Create_StartsFileDownloadExport_WithPostHogsWorkflowId_OnTheTaskQueue_ForTheStartingRun()
    {
        var (tenant, _, run, workflowId) = await CreateAsync(events: 1);

        Assert.Contains($"start file-download-export {workflowId} on batch-exports-task-queue", factory.Temporal.Calls);
        var input = Assert.IsType<FileDownloadWorkflowInput>(factory.Temporal.StartedWorkflows[workflowId]);
        Assert.Equal(new FileDownloadWorkflowInput(tenant.TeamId, run.BatchExportOnDemandId!.Value, run.Id, Start, Start.AddDays(1)), input);
        Assert.Equal(RunStatuses.Starting, run.Status);
        Assert.Equal(workflowId, WorkflowIds.Run(run));
    }

    [Fact]
    public async Task ExecuteRun_OfAFileDownload_WritesItsFileRows_AndTheApiServesTheFile()
    {
        var (tenant, client, run, _) = await CreateAsync(events: 3);

        var result = await factory.RunAsync<ExportActivities, RunResult>(new ActivityEnvironment(), a => a.ExecuteRunAsync(new ExecuteRunInput(run.Id)));

        Assert.Equal(new RunResult(RunStatuses.Completed, 3, null), result);
        await using (var db = factory.CreateDbContext())
        {
            var file = await db.BatchExportFileDownloads.AsNoTracking().SingleAsync(f => f.BatchExportRunId == run.Id);
            Assert.Equal(tenant.TeamId, file.TeamId);
            Assert.True(file.SizeBytes > 0);
        }

        var retrieved = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{run.Id}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)retrieved["status"]);
        Assert.Single(retrieved["files"]!.AsArray());
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{DownloadsPath(tenant.TeamId)}/{run.Id}/download/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task Cancel_CancelsTheFileDownloadsWorkflow_AndTheActivityThenExportsNothing()
    {
        var (tenant, client, run, workflowId) = await CreateAsync(events: 2);

        Assert.Equal("Cancelled", (string?)(await client.PostAsync($"{DownloadsPath(tenant.TeamId)}/{run.Id}/cancel/")).Expect(HttpStatusCode.OK)["status"]);
        var result = await factory.RunAsync<ExportActivities, RunResult>(new ActivityEnvironment(), a => a.ExecuteRunAsync(new ExecuteRunInput(run.Id)));

        Assert.Contains($"cancel {workflowId}", factory.Temporal.Calls);
        Assert.Equal(RunStatuses.Cancelled, result.Status);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.BatchExportFileDownloads.AnyAsync(f => f.BatchExportRunId == run.Id));
    }
}
