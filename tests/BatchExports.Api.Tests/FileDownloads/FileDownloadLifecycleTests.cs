using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>Create → the engine runs it → retrieve → download, for every format and compression, with the bytes read back.</summary>
public sealed class FileDownloadLifecycleTests : FileDownloadTest
{
    public static TheoryData<string, string?> Formats => new()
    {
        { "Parquet", null }, { "Parquet", "zstd" }, { "Parquet", "lz4" }, { "Parquet", "snappy" }, { "Parquet", "gzip" }, { "Parquet", "brotli" },
        { "JSONLines", null }, { "JSONLines", "gzip" }, { "JSONLines", "brotli" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ADownload_RunsThroughTheEngine_AndServesTheSourceRows(string format, string? compression)
    {
        var (tenant, client) = await TenantAsync();
        var expected = await SeedEventsAsync(tenant.TeamId, 25);
        var id = await CreateAsync(client, tenant.TeamId, Body(format, compression));
        Assert.Equal("Starting", (string)(await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).Expect(HttpStatusCode.OK)["status"]!);

        Assert.Equal(1, await Factory.Engine.ExecuteAllAsync());

        var retrieved = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string)retrieved["status"]!);
        Assert.Equal(25, (int)retrieved["records_completed"]!);
        Assert.False(retrieved.AsObject().ContainsKey("error"));
        var files = retrieved["files"]!.AsArray();
        var file = Assert.Single(files);

        using var response = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId, "environments")}/{id}/download/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        // PostHog's current key rule: Parquet compresses inside the file, so its name carries no codec suffix.
        var extension = format == "Parquet" ? "parquet" : "jsonl" + compression switch { null => "", "gzip" => ".gz", _ => ".br" };
        Assert.Equal($"2024-03-04T00:00:00+00:00-2024-03-11T00:00:00+00:00.{extension}", response.Content.Headers.ContentDisposition.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!.Trim('"'));
        var expectedType = format == "Parquet" ? "application/vnd.apache.parquet" : compression switch { null => "application/jsonl", "gzip" => "application/gzip", _ => "application/x-brotli" };
        Assert.Equal(expectedType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(expected.Order(), (await UuidsInAsync(bytes, format, compression)).Order());

        // The same file by its id and by index 0.
        using var byId = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/{(string)file!}/");
        Assert.Equal(bytes, await byId.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        using var byIndex = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/0");
        Assert.Equal(bytes, await byIndex.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ADownload_SupportsRanges_AndListsNewestFirst()
    {
        var (tenant, client) = await TenantAsync();
        await SeedEventsAsync(tenant.TeamId, 10);
        var first = await CreateAsync(client, tenant.TeamId, Body("JSONLines"));
        Factory.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await CreateAsync(client, tenant.TeamId, Body("JSONLines"));
        await Factory.Engine.ExecuteAllAsync();

        using var whole = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{first}/download/");
        var bytes = await whole.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using var range = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{first}/download/",
            r => r.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 19));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(bytes[10..20], await range.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        var list = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, (int)list["count"]!);
        Assert.Equal([second.ToString(), first.ToString()], list["results"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.All(list["results"]!.AsArray(), r => Assert.Equal("Completed", (string)r!["status"]!));
        var page = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/?limit=1&offset=1")).Expect(HttpStatusCode.OK);
        Assert.Equal(first.ToString(), (string)page["results"]![0]!["id"]!);
    }

    [Fact]
    public async Task MaxSizeMb_RotatesFiles_ThatAreSelectedByIdOrIndexInKeyOrder()
    {
        var (tenant, client) = await TenantAsync();
        var expected = await SeedEventsAsync(tenant.TeamId, 6000);
        var id = await CreateAsync(client, tenant.TeamId, Body("JSONLines", maxSizeMb: 1));
        await Factory.Engine.ExecuteAllAsync();

        var files = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).Expect(HttpStatusCode.OK)["files"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.True(files.Count >= 2, $"{files.Count} file(s)");
        var stored = await FilesAsync(id);
        Assert.Equal(stored.Select(f => f.Id.ToString()), files);
        Assert.Equal(stored.Select(f => f.Key).Order(StringComparer.Ordinal), stored.Select(f => f.Key));

        var all = new List<Guid>();
        for (var i = 0; i < files.Count; i++)
        {
            using var byIndex = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/{i}/");
            using var byId = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/{files[i]}/");
            var bytes = await byIndex.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            Assert.Equal(bytes, await byId.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
            Assert.Equal(stored[i].SizeBytes, bytes.Length);
            Assert.EndsWith($"-{i}.jsonl", byIndex.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
            all.AddRange(await UuidsInAsync(bytes, "JSONLines", null));
        }

        Assert.Equal(expected.Order(), all.Order());
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/{files.Count}/"))
            .ExpectError(HttpStatusCode.NotFound, "invalid_request", $"No files with index {files.Count}");
    }

    [Fact]
    public async Task IncludeAndExclude_SelectEventsByName_AndAnEmptyIntervalCompletesWithNoFiles()
    {
        var (tenant, client) = await TenantAsync();
        var views = await SeedEventsAsync(tenant.TeamId, 5, "$pageview");
        await SeedEventsAsync(tenant.TeamId, 3, "$autocapture");
        var body = Body("JSONLines");
        body["include"] = new JsonArray("$pageview", "$autocapture");
        body["exclude"] = new JsonArray("$autocapture");
        var id = await CreateAsync(client, tenant.TeamId, body);
        var empty = Body("JSONLines");
        empty["data_interval_start"] = "2020-01-01T00:00:00Z";
        empty["data_interval_end"] = "2020-01-02T00:00:00Z";
        var emptyId = await CreateAsync(client, tenant.TeamId, empty);
        await Factory.Engine.ExecuteAllAsync();

        using var response = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/");
        Assert.Equal(views.Order(), (await UuidsInAsync(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken), "JSONLines", null)).Order());

        var retrieved = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{emptyId}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string)retrieved["status"]!);
        Assert.Empty(retrieved["files"]!.AsArray());
        Assert.Equal(0, (int)retrieved["records_completed"]!);
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{emptyId}/download/")).ExpectError(HttpStatusCode.NotFound, "invalid_request", "No files with index 0");
    }

    [Fact]
    public async Task TheLogs_AreTheRunsEntries_AndTheRunShowsItsOnDemandParent()
    {
        var (tenant, client) = await TenantAsync();
        await SeedEventsAsync(tenant.TeamId, 3);
        var id = await CreateAsync(client, tenant.TeamId, Body());
        await Factory.Engine.ExecuteAllAsync();

        var logs = (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/logs/?level=INFO")).Expect(HttpStatusCode.OK);
        var results = logs["results"]!.AsArray();
        Assert.Contains(results, l => ((string)l!["message"]!).Contains("finished successfully with 3 records exported"));
        Assert.All(results, l => Assert.Equal(id.ToString(), (string)l!["instance_id"]!));
        var run = await RunAsync(id);
        Assert.Null(run.BatchExportId);
        Assert.All(results, l => Assert.Equal(run.BatchExportOnDemandId.ToString(), (string)l!["log_source_id"]!));
        var response = global::BatchExports.Api.Runs.RunMappings.ToResponse(run);
        Assert.Equal(run.BatchExportOnDemandId, response.BatchExportOnDemand);
        Assert.Null(response.BatchExport);
    }

    [Fact]
    public async Task AnotherTeamsDownload_IsNotFound()
    {
        var (tenant, client) = await TenantAsync();
        var (other, otherClient) = await TenantAsync();
        var id = await CreateAsync(otherClient, other.TeamId, Body());

        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/not-a-uuid/")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        Assert.Equal(0, (int)(await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/")).Expect(HttpStatusCode.OK)["count"]!);
    }
}
