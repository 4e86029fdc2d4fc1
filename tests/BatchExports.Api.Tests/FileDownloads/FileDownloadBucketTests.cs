using System.Net;
using BatchExports.Testing;

namespace BatchExports.Api.Tests.FileDownloads;

/// <summary>With a downloads bucket configured (the real S3 test server), files go to the bucket and a download redirects to it.</summary>
public sealed class FileDownloadBucketTests : FileDownloadTest
{
    private S3TestServer _s3 = null!;
    private string _bucket = "";

    public override async ValueTask InitializeAsync()
    {
        _s3 = await S3TestServer.GetAsync();
        _bucket = await _s3.CreateBucketAsync(S3TestServer.UniqueBucketName("downloads"));
        Factory.Extra["BatchExports:FileDownloads:BucketName"] = _bucket;
        Factory.Extra["BatchExports:FileDownloads:Region"] = _s3.Region;
        Factory.Extra["BatchExports:FileDownloads:EndpointUrl"] = _s3.Endpoint;
        Factory.Extra["BatchExports:FileDownloads:AccessKeyId"] = _s3.AccessKeyId;
        Factory.Extra["BatchExports:FileDownloads:SecretAccessKey"] = _s3.SecretAccessKey;
        Factory.Extra["BatchExports:FileDownloads:Prefix"] = "downloads/";
        await base.InitializeAsync();
    }

    [Theory]
    [InlineData("Parquet", "zstd")]
    [InlineData("JSONLines", "gzip")]
    public async Task ADownload_IsWrittenToTheBucket_AndServedByAPreSignedRedirect(string format, string compression)
    {
        var (tenant, client) = await TenantAsync();
        var expected = await SeedEventsAsync(tenant.TeamId, 30);
        var id = await CreateAsync(client, tenant.TeamId, Body(format, compression));
        await Factory.Engine.ExecuteAllAsync();

        var file = Assert.Single(await FilesAsync(id));
        Assert.Equal([$"downloads/{file.Key}"], await _s3.ListKeysAsync(_bucket));
        Assert.False(Directory.Exists(Factory.DownloadsFolder));

        using var redirect = await GetRawAsync(tenant.ApiKey, $"{DownloadsPath(tenant.TeamId)}/{id}/download/");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("no-store", redirect.Headers.CacheControl!.ToString());
        var location = redirect.Headers.Location!;
        Assert.StartsWith($"{_s3.Endpoint.TrimEnd('/')}/{_bucket}/downloads/{tenant.TeamId}/{id}/", location.ToString());
        Assert.Contains("response-content-disposition=attachment", location.Query);

        // The URL works without the API key: it is signed.
        using var plain = new HttpClient();
        var bytes = await plain.GetByteArrayAsync(location, TestContext.Current.CancellationToken);
        Assert.Equal(await _s3.ReadObjectAsync(_bucket, $"downloads/{file.Key}"), bytes);
        Assert.Equal(file.SizeBytes, bytes.Length);
        Assert.Equal(expected.Order(), (await UuidsInAsync(bytes, format, compression)).Order());

        Factory.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await RemoveExpiredAsync());
        Assert.Empty(await _s3.ListKeysAsync(_bucket));
        (await client.GetAsync($"{DownloadsPath(tenant.TeamId)}/{id}/download/")).ExpectError(HttpStatusCode.BadRequest, "validation_error",
            "This file download has expired");
    }
}
