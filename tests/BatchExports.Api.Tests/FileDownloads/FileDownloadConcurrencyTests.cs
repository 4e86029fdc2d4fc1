using System.Net;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>The per-team limit of downloads in progress holds under racing requests, and frees up as runs finish.</summary>
public sealed class FileDownloadConcurrencyTests : FileDownloadTest
{
    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["BatchExports:MaxConcurrentFileDownloadsPerTeam"] = "1";

    [Fact]
    public async Task TwoRacingRequests_CannotBothPassALimitOfOne()
    {
        var (tenant, client) = await TenantAsync();
        var (other, otherClient) = await TenantAsync();

        for (var round = 0; round < 5; round++)
        {
            var responses = await Task.WhenAll(
                client.PostAsync($"{DownloadsPath(tenant.TeamId)}/", Body()),
                client.PostAsync($"{DownloadsPath(tenant.TeamId, "environments")}/", Body()));

            Assert.Single(responses, r => r.Status == HttpStatusCode.Accepted);
            Assert.Single(responses, r => r.Status == HttpStatusCode.TooManyRequests)
                .ExpectError(HttpStatusCode.TooManyRequests, "server_error", "Too many concurrent file download batch exports for this team.",
                    code: "too_many_concurrent_file_downloads");

            // Another team has a limit of its own.
            await CreateAsync(otherClient, other.TeamId, Body());
            await Factory.Engine.ExecuteAllAsync();
        }

        await using var db = Factory.CreateDbContext();
        Assert.Equal(5, await db.BatchExportRuns.CountAsync(r => r.Status == RunStatuses.Completed && r.BatchExportOnDemandId != null
            && db.BatchExportOnDemands.Any(o => o.Id == r.BatchExportOnDemandId && o.TeamId == tenant.TeamId)));
    }
}
