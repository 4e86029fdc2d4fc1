using System.Net;
using BatchExports.Core.Domain;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>A download whose process died mid-run is taken over once its lease lapses, like any run, and writes each record once.</summary>
public sealed class FileDownloadRecoveryTests : FileDownloadTest
{
    [Fact]
    public async Task ADownloadInterruptedMidRun_IsPickedUpAgain_AndItsLeftoversReplaced()
    {
        var (tenant, client) = await TenantAsync();
        var expected = await SeedEventsAsync(tenant.TeamId, 40);
        var id = await CreateAsync(client, tenant.TeamId, Body("JSONLines"));
        var now = Factory.Clock.GetUtcNow();
        await using (var db = Factory.CreateDbContext())
        {
            // What a process killed mid-run leaves: the run Running under its lease, and a partial file and a
            // finished-looking one of a different layout in the run's folder.
            await db.BatchExportRuns.Where(r => r.Id == id).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, RunStatuses.Running).SetProperty(r => r.Attempt, 1)
                .SetProperty(r => r.LeaseOwner, "a-process-that-died").SetProperty(r => r.LeaseExpiresAt, now + TimeSpan.FromSeconds(30)));
        }

        var runFolder = Path.Combine(Factory.DownloadsFolder, tenant.TeamId.ToString(), id.ToString());
        Directory.CreateDirectory(runFolder);
        await File.WriteAllTextAsync(Path.Combine(runFolder, "2024-03-04T00:00:00+00:00-2024-03-11T00:00:00+00:00.jsonl.partial"), "{\"uuid\":", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(runFolder, "2024-03-04T00:00:00+00:00-2024-03-11T00:00:00+00:00-0.jsonl"), "{}\n", TestContext.Current.CancellationToken);

        Assert.Equal(0, await Factory.Engine.ExecuteAllAsync());
        Assert.Equal("Running", (string)(await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).Expect(HttpStatusCode.OK)["status"]!);
        Factory.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await Factory.Engine.ExecuteAllAsync());

        var run = await RunAsync(id);
        Assert.Equal(RunStatuses.Completed, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(["2024-03-04T00:00:00+00:00-2024-03-11T00:00:00+00:00.jsonl"], Directory.GetFiles(runFolder).Select(Path.GetFileName));
        using var response = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/");
        Assert.Equal(expected.Order(), (await UuidsInAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken), "JSONLines", null)).Order());
        var logs = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/logs/")).Expect(HttpStatusCode.OK);
        Assert.Contains(logs["results"]!.AsArray(), l => ((string)l!["message"]!).Contains("attempt 2 of 3"));
    }
}
