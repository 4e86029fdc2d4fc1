using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>
/// PostHog's automatic pause: when a run ends Failed and too many of the export's latest runs failed, the export is
/// paused (row and schedule), says why in its logs, and its running backfills are cancelled.
/// </summary>
public sealed class FailureThresholdTests
{
    private static async Task<BatchExportRun> FailingRunAsync(ScriptedEngineApiFactory factory, Guid id, DateTimeOffset end)
    {
        var run = await factory.RunAsync(id, end, RunStatuses.Starting);
        factory.Pipeline.Script(run.Id, _ => throw new NonRetryableExportException("The bucket 'my-bucket' does not exist."));
        return run;
    }

    private static async Task SeedRunsAsync(ScriptedEngineApiFactory factory, Guid id, DateTimeOffset firstEnd, params string[] statusesOldestFirst)
    {
        var now = factory.Clock.GetUtcNow();
        for (var i = 0; i < statusesOldestFirst.Length; i++)
        {
            var age = TimeSpan.FromMinutes(statusesOldestFirst.Length - i);
            await factory.RunAsync(id, firstEnd + TimeSpan.FromHours(i), statusesOldestFirst[i], r => r.LastUpdatedAt = now - age);
        }
    }

    private static async Task<List<JsonNode>> ExportLogsAsync(ApiClient client, int teamId, Guid id) =>
        (await client.ExportLogsAsync(teamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray().Select(e => e!).ToList();

    [Fact]
    public async Task AWeeklyExport_WithTheDefaultThreshold_PausesWhenItsWindowOf4RunsAllFailed()
    {
        await using var factory = new ScriptedEngineApiFactory();
        await factory.InitializeAsync();
        var (tenant, client, id) = await factory.ExportAsync(ExportBody(NoOpDestination(), "week"));
        var now = factory.MoveToMinutePastTheHour(0);
        await SeedRunsAsync(factory, id, now - TimeSpan.FromDays(30), RunStatuses.Failed, RunStatuses.Failed, RunStatuses.Failed);
        var backfill = await factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Running);
        await FailingRunAsync(factory, id, now - TimeSpan.FromDays(1));

        Assert.Equal(1, await factory.Engine.ExecuteAllAsync());

        var export = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.True((bool)export["paused"]!);
        Assert.Equal(now, DateTimeOffset.Parse((string)export["last_paused_at"]!, System.Globalization.CultureInfo.InvariantCulture));
        var logs = await ExportLogsAsync(client, tenant.TeamId, id);
        var pausedLine = Assert.Single(logs, l => ((string)l["message"]!).StartsWith("Paused due to exceeding failure threshold", StringComparison.Ordinal));
        Assert.Equal("WARNING", (string?)pausedLine["level"]);
        Assert.Contains("4 of the last 4 runs failed", (string?)pausedLine["message"]);
        Assert.Equal("Cancelled", (string?)(await client.GetBackfillAsync(tenant.TeamId, id, backfill.Id)).Expect(HttpStatusCode.OK)["status"]);

        // The pause went through the engine: its schedule is paused too, so nothing more is scheduled.
        await using var db = factory.CreateDbContext();
        Assert.True(await db.BatchExportSchedules.Where(s => s.BatchExportId == id).Select(s => s.Paused).SingleAsync());
        factory.Clock.Advance(TimeSpan.FromDays(8));
        await factory.Engine.TickAsync();
        Assert.Equal(0, await db.BatchExportRuns.CountAsync(r => r.BatchExportId == id && r.Status == RunStatuses.Starting));
    }

    [Fact]
    public async Task TheThresholdAndWindow_AreConfigurable_AndCountOnlyFailedRunsInTheWindow()
    {
        await using var factory = new ScriptedEngineApiFactory(new Dictionary<string, string?>
        {
            ["BatchExports:FailureThreshold"] = "2",
            ["BatchExports:FailureCheckWindow"] = "3",
        });
        await factory.InitializeAsync();
        var (tenant, client, id) = await factory.ExportAsync(ExportBody(NoOpDestination()));
        var now = factory.MoveToMinutePastTheHour(0);
        // A Failed run that falls out of the window, and a FailedRetryable one that does not count.
        await SeedRunsAsync(factory, id, now - TimeSpan.FromHours(20), RunStatuses.Failed, RunStatuses.Completed, RunStatuses.FailedRetryable);
        await FailingRunAsync(factory, id, now - TimeSpan.FromHours(2));

        Assert.Equal(1, await factory.Engine.ExecuteAllAsync());
        Assert.False((bool)(await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);

        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await FailingRunAsync(factory, id, now - TimeSpan.FromHours(1));
        Assert.Equal(1, await factory.Engine.ExecuteAllAsync());

        var export = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.True((bool)export["paused"]!);
        Assert.Contains(await ExportLogsAsync(client, tenant.TeamId, id), l => ((string)l["message"]!).StartsWith(
            "Paused due to exceeding failure threshold: 2 of the last 3 runs failed.", StringComparison.Ordinal));
    }
}
