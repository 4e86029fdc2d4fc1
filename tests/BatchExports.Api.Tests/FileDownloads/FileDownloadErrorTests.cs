using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>PostHog's messages for a bad create, and for downloading what is not (or no longer) there.</summary>
public sealed class FileDownloadErrorTests : FileDownloadTest
{
    [Fact]
    public async Task Create_RefusesBadIntervals_WithPostHogsMessages()
    {
        var (tenant, client) = await TenantAsync();
        var path = $"{DownloadsPath(tenant.TeamId)}/";

        var missing = Body(model: "persons");
        missing.Remove("data_interval_end");
        (await client.PostAsync(path, missing)).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "'data_interval_start' and 'data_interval_end' are required for 'persons'");

        var backwards = Body();
        backwards["data_interval_end"] = (string)backwards["data_interval_start"]!;
        (await client.PostAsync(path, backwards)).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "'data_interval_end' must occur after 'data_interval_start'");

        var tooBig = Body();
        tooBig["data_interval_end"] = "2024-03-11T00:00:01";
        (await client.PostAsync(path, tooBig)).ExpectError(HttpStatusCode.BadRequest, "validation_error", "data interval range too big");

        var now = Factory.Clock.GetUtcNow();
        var future = Body();
        future["data_interval_start"] = now.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        future["data_interval_end"] = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(2).ToString("yyyy-MM-ddTHH:mm:ss");
        var end = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(2);
        (await client.PostAsync(path, future)).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            $"The provided 'data_interval_end' ({end:yyyy-MM-ddTHH:mm:ss}+00:00) is in the future");
    }

    [Fact]
    public async Task Create_RefusesBadChoices()
    {
        var (tenant, client) = await TenantAsync();
        var path = $"{DownloadsPath(tenant.TeamId)}/";

        (await client.PostAsync(path, Body(model: "groups"))).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "\"groups\" is not a valid choice.", "model", "invalid_choice");
        (await client.PostAsync(path, Body(format: "CSV"))).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "\"CSV\" is not a valid choice.", "file__format", "invalid_choice");
        (await client.PostAsync(path, Body(compression: "xz"))).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "\"xz\" is not a valid choice.", "file__compression", "invalid_choice");
        (await client.PostAsync(path, Body(format: "JSONLines", compression: "zstd"))).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "Compression zstd is not supported for file format JSONLines. Supported compressions are ['gzip', 'brotli']", "file");
        (await client.PostAsync(path, Body(maxSizeMb: -1))).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "Ensure this value is greater than or equal to 0.", "file__max_size_mb", "min_value");
        (await client.PostAsync(path, Body(model: "hogql"))).ExpectError(HttpStatusCode.Forbidden, "authentication_error",
            "HogQL batch exports are not enabled for this team.");
        var hogql = Body();
        hogql["hogql_query"] = "SELECT event FROM events";
        (await client.PostAsync(path, hogql)).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "'hogql_query' is only supported when 'model' is 'hogql'");
    }

    [Fact]
    public async Task Scopes_AreBatchExportReadAndWrite()
    {
        var (tenant, client) = await TenantAsync(["batch_export:read"]);
        (await client.PostAsync($"{DownloadsPath(tenant.TeamId)}/", Body())).ExpectError(HttpStatusCode.Forbidden, "authentication_error",
            "API key missing required scope 'batch_export:write'");
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(RunStatuses.Starting, "Batch export run is still in progress")]
    [InlineData(RunStatuses.Running, "Batch export run is still in progress")]
    [InlineData(RunStatuses.Failed, "Batch export run has failed")]
    [InlineData(RunStatuses.FailedRetryable, "Batch export run has failed")]
    [InlineData(RunStatuses.TimedOut, "Batch export run has failed")]
    [InlineData(RunStatuses.Cancelled, "Batch export run was cancelled")]
    public async Task Download_OfARunThatIsNotCompleted_SaysWhy(string status, string message)
    {
        var (tenant, client) = await TenantAsync();
        var id = await CreateAsync(client, tenant.TeamId, Body());
        await using (var db = Factory.CreateDbContext())
        {
            await db.BatchExportRuns.Where(r => r.Id == id).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, status).SetProperty(r => r.LatestError, status == RunStatuses.Failed ? "The bucket is gone" : null));
        }

        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/")).ExpectError(HttpStatusCode.BadRequest, "validation_error", message);
        var retrieved = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).Expect(HttpStatusCode.OK);
        Assert.Equal(status, (string)retrieved["status"]!);
        Assert.False(retrieved.AsObject().ContainsKey("files"));
        Assert.False(retrieved.AsObject().ContainsKey("records_completed"));
        if (status == RunStatuses.Failed)
        {
            Assert.Equal("The bucket is gone", (string)retrieved["error"]!);
        }
    }

    [Fact]
    public async Task Download_RefusesABadPart_AndACompletedRunWithoutFilesYetReadsAsRunning()
    {
        var (tenant, client) = await TenantAsync();
        await SeedEventsAsync(tenant.TeamId, 2);
        var id = await CreateAsync(client, tenant.TeamId, Body());
        await Factory.Engine.ExecuteAllAsync();

        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/first/")).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "Invalid file id or index: 'first'");
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/1/")).ExpectError(HttpStatusCode.NotFound, "invalid_request", "No files with index 1");
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/{Guid.NewGuid()}/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");

        await using (var db = Factory.CreateDbContext())
        {
            await db.BatchExportFileDownloads.Where(f => f.BatchExportRunId == id).ExecuteDeleteAsync();
        }

        var retrieved = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Running", (string)retrieved["status"]!);
        Assert.False(retrieved.AsObject().ContainsKey("files"));
    }

    [Fact]
    public async Task Cancel_StopsADownload_AndOnlyOnce()
    {
        var (tenant, client) = await TenantAsync();
        await SeedEventsAsync(tenant.TeamId, 2);
        var id = await CreateAsync(client, tenant.TeamId, Body());

        var cancelled = (await client.PostAsync($"{DownloadsPath(tenant.TeamId)}/{id}/cancel/")).Expect(HttpStatusCode.OK);
        Assert.Equal(new JsonObject { ["status"] = "Cancelled" }.ToJsonString(), cancelled.ToJsonString());
        Assert.Equal(0, await Factory.Engine.ExecuteAllAsync());
        (await client.PostAsync($"{DownloadsPath(tenant.TeamId)}/{id}/cancel/")).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "Cannot cancel a run that is in 'Cancelled' status");
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/")).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "Batch export run was cancelled");
        Assert.False(Directory.Exists(Factory.DownloadsFolder) && Directory.EnumerateFiles(Factory.DownloadsFolder, "*", SearchOption.AllDirectories).Any());
        var logs = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/logs/")).Expect(HttpStatusCode.OK);
        Assert.Contains(logs["results"]!.AsArray(), l => (string)l!["message"]! == "The file download was cancelled by a user.");
    }

    [Fact]
    public async Task ExpiredFiles_AreRefused_ThenRemoved_AndNothingElseInTheDataDirectoryIsTouched()
    {
        var (tenant, client) = await TenantAsync();
        await SeedEventsAsync(tenant.TeamId, 2);
        var id = await CreateAsync(client, tenant.TeamId, Body());
        await Factory.Engine.ExecuteAllAsync();
        var file = Assert.Single(await FilesAsync(id));
        var stored = Path.Combine(Factory.DownloadsFolder, file.Key.Replace('/', Path.DirectorySeparatorChar));
        Assert.True(File.Exists(stored));
        var besideTheDownloads = Path.Combine(Factory.DataDirectory, "keep-me.txt");
        var insideTheDownloads = Path.Combine(Factory.DownloadsFolder, "not-a-download.txt");
        await File.WriteAllTextAsync(besideTheDownloads, "mine", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(insideTheDownloads, "mine too", TestContext.Current.CancellationToken);

        Assert.Equal(0, await RemoveExpiredAsync());
        Factory.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/")).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "This file download has expired");
        Assert.True(File.Exists(stored));

        Assert.Equal(1, await RemoveExpiredAsync());

        Assert.False(File.Exists(stored));
        Assert.False(Directory.Exists(Path.GetDirectoryName(stored)));
        Assert.True(File.Exists(besideTheDownloads));
        Assert.True(File.Exists(insideTheDownloads));
        Assert.NotNull(Assert.Single(await FilesAsync(id)).RemovedAt);
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/0/")).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "This file download has expired");
        Assert.Equal(0, await RemoveExpiredAsync());
    }
}
