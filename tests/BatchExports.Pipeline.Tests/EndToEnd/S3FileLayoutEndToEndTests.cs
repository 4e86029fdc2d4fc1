using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Parquet;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Pipeline.Tests.EndToEnd;

/// <summary>
/// What lands in the bucket, from a user's side: an S3 export saved over HTTP and backfilled by the embedded engine,
/// its objects read back. <c>max_file_size_mb</c> rotates files within one record (JSONLines) or one row group
/// (Parquet) of the limit; Parquet keys carry no codec unless <c>legacy_parquet_extension</c> is true.
/// </summary>
public sealed class S3FileLayoutEndToEndTests : IsolatedEngineTest
{
    private const long OneMegabyte = 1024 * 1024;

    private async Task<(ApiClient Client, TestTenant Tenant, S3TestServer S3, string Bucket)> SetUpAsync()
    {
        var s3 = await S3TestServer.GetAsync();
        var bucket = await s3.CreateBucketAsync();
        var tenant = await Factory.CreateTenantAsync();
        return (Factory.CreateApiClient(tenant.ApiKey), tenant, s3, bucket);
    }

    private static JsonObject S3Body(S3TestServer s3, string bucket, string format, string? compression, JsonObject? extra = null)
    {
        var config = new JsonObject
        {
            ["bucket_name"] = bucket,
            ["region"] = s3.Region,
            ["prefix"] = "files/",
            ["aws_access_key_id"] = s3.AccessKeyId,
            ["aws_secret_access_key"] = s3.SecretAccessKey,
            ["endpoint_url"] = s3.Endpoint,
            ["file_format"] = format,
            ["compression"] = compression,
        };
        foreach (var (key, value) in extra ?? [])
        {
            config[key] = value?.DeepClone();
        }

        return ExportBody(new JsonObject { ["type"] = "S3", ["config"] = config });
    }

    /// <summary>The hour two hours back, filled with <paramref name="count"/> events of about 1.6 KB that compress only ~2:1 (random hex).</summary>
    private async Task<(DateTimeOffset Start, DateTimeOffset End)> SeedHourAsync(int teamId, int count)
    {
        var end = ExportCalendar.Floor(new ScheduleSpec("hour"), Factory.Clock.GetUtcNow()).AddHours(-1);
        var start = end.AddHours(-1);
        var random = new Random(13);
        await using var db = Factory.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            var at = start.AddSeconds(i * 3600.0 / count);
            var noise = new byte[640];
            random.NextBytes(noise);
            db.Events.Add(new SourceEvent
            {
                Uuid = Guid.NewGuid(), TeamId = teamId, Event = "$pageview", DistinctId = $"user-{i}",
                Properties = $$"""{"i": {{i}}, "noise": "{{Convert.ToHexString(noise)}}"}""",
                Timestamp = at, CreatedAt = at, InsertedAt = at,
            });
        }

        await db.SaveChangesAsync();
        return (start, end);
    }

    private async Task BackfillAsync(ApiClient client, TestTenant tenant, string id, DateTimeOffset start, DateTimeOffset end)
    {
        var backfill = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/", new JsonObject
        {
            ["start_at"] = start.ToString("yyyy-MM-ddTHH:mm:sszzz"),
            ["end_at"] = end.ToString("yyyy-MM-ddTHH:mm:sszzz"),
        })).Expect(HttpStatusCode.Created);
        await Factory.Engine.DriveAsync();
        var done = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/{backfill["id"]}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)done["status"]);
    }

    private static string Stem(DateTimeOffset start, DateTimeOffset end) =>
        $"files/{start:yyyy-MM-ddTHH:mm:ss}+00:00-{end:yyyy-MM-ddTHH:mm:ss}+00:00";

    /// <summary>The manifest's files, checked against the bucket's listing; returns each file's bytes.</summary>
    private static async Task<List<(string Key, byte[] Bytes)>> ReadManifestFilesAsync(S3TestServer s3, string bucket, string stem, string extension)
    {
        var keys = await s3.ListKeysAsync(bucket);
        var manifestKey = $"{stem}_manifest.json";
        var listed = JsonNode.Parse(await s3.ReadObjectAsync(bucket, manifestKey))!["files"]!.AsArray().Select(f => (string)f!).ToList();
        Assert.Equal(Enumerable.Range(0, listed.Count).Select(n => $"{stem}-{n}.{extension}"), listed);
        Assert.Equal(listed.Append(manifestKey).Order(), keys.Order());
        var files = new List<(string, byte[])>();
        foreach (var key in listed)
        {
            files.Add((key, await s3.ReadObjectAsync(bucket, key)));
        }

        return files;
    }

    private static string[] Lines(byte[] file, string? compression)
    {
        using Stream input = compression == "gzip" ? new GZipStream(new MemoryStream(file), CompressionMode.Decompress) : new MemoryStream(file);
        using var reader = new StreamReader(input);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    public async Task JsonLines_WithMaxFileSize1_RotatesAtTheRecordThatReachesTheLimit(string? compression)
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket, "JSONLines", compression, new JsonObject { ["max_file_size_mb"] = 1 })))["id"]!;
        var (start, end) = await SeedHourAsync(tenant.TeamId, 1_500);

        await BackfillAsync(client, tenant, id, start, end);

        var files = await ReadManifestFilesAsync(s3, bucket, Stem(start, end), compression == "gzip" ? "jsonl.gz" : "jsonl");
        var lines = files.Select(f => Lines(f.Bytes, compression)).ToList();
        Assert.Equal(1_500, lines.Sum(l => l.Length));
        Assert.Equal(1_500, lines.SelectMany(l => l).Select(l => JsonNode.Parse(l)!["uuid"]!.GetValue<string>()).Distinct().Count());
        var longestRecord = lines.SelectMany(l => l).Max(l => System.Text.Encoding.UTF8.GetByteCount(l) + 1);
        Assert.True(files.Count >= (compression == null ? 3 : 2), $"{files.Count} file(s)");
        for (var n = 0; n < files.Count; n++)
        {
            var size = files[n].Bytes.Length;
            // Closed by the record that reached the limit: at or above it (but the last), and over it by less than one record.
            Assert.True(size <= OneMegabyte + longestRecord, $"file {n}: {size} bytes, limit {OneMegabyte} + one record of at most {longestRecord}");
            Assert.True(n == files.Count - 1 || size >= OneMegabyte, $"file {n}: {size} bytes closed below the limit");
        }
    }

    [Fact]
    public async Task Parquet_WithMaxFileSize1_RotatesAtTheRowGroupThatReachesTheLimit_AndKeysEndInParquet()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket, "Parquet", "zstd", new JsonObject { ["max_file_size_mb"] = 1 })))["id"]!;
        var (start, end) = await SeedHourAsync(tenant.TeamId, 1_500);

        await BackfillAsync(client, tenant, id, start, end);

        var files = await ReadManifestFilesAsync(s3, bucket, Stem(start, end), "parquet");
        Assert.True(files.Count >= 2, $"{files.Count} file(s)");
        long rows = 0;
        for (var n = 0; n < files.Count; n++)
        {
            using var input = new MemoryStream(files[n].Bytes);
            await using var reader = await ParquetReader.CreateAsync(input, cancellationToken: TestContext.Current.CancellationToken);
            rows += reader.Metadata!.RowGroups.Sum(g => g.NumRows);
            var largestGroup = reader.Metadata.RowGroups.Max(g => g.TotalCompressedSize ?? g.TotalByteSize);
            // Row groups are bounded to a fraction of the limit, so a file overshoots by at most that one group.
            Assert.True(largestGroup <= OneMegabyte / 4, $"file {n}: a row group of {largestGroup} bytes");
            var size = files[n].Bytes.Length;
            Assert.True(size <= OneMegabyte + largestGroup + 64 * 1024, $"file {n}: {size} bytes");
            Assert.True(n == files.Count - 1 || size >= OneMegabyte, $"file {n}: {size} bytes closed below the limit");
        }

        Assert.Equal(1_500, rows);
    }

    [Theory]
    [InlineData("Parquet", "zstd", null, "parquet")]
    [InlineData("Parquet", "snappy", false, "parquet")]
    [InlineData("Parquet", "zstd", true, "parquet.zst")]
    [InlineData("Parquet", "snappy", true, "parquet.sz")]
    [InlineData("JSONLines", "gzip", false, "jsonl.gz")]
    [InlineData("JSONLines", "brotli", true, "jsonl.br")]
    public async Task ObjectKeys_CarryTheParquetCodecOnlyWithLegacyParquetExtension(string format, string compression, bool? legacy, string extension)
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var extra = legacy is { } flag ? new JsonObject { ["legacy_parquet_extension"] = flag } : null;
        var created = await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket, format, compression, extra));
        var id = (string)created["id"]!;
        if (legacy is { } stored)
        {
            Assert.Equal(stored, (bool)created["destination"]!["config"]!["legacy_parquet_extension"]!);
        }

        var (start, end) = await SeedHourAsync(tenant.TeamId, 20);

        await BackfillAsync(client, tenant, id, start, end);

        var key = Assert.Single(await s3.ListKeysAsync(bucket));
        Assert.Equal($"{Stem(start, end)}.{extension}", key);
        Assert.NotEmpty(await s3.ReadObjectAsync(bucket, key));
    }

    [Fact]
    public async Task LegacyParquetExtension_CanBeTurnedOnByPatch_AndTheNextRunUsesTheOldKeys()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket, "Parquet", "lz4")))["id"]!;
        (await client.PatchExportAsync(tenant.TeamId, id, JsonNode.Parse("""{"destination": {"type": "S3", "config": {"legacy_parquet_extension": "yes"}}}""")!.AsObject()))
            .Expect(HttpStatusCode.OK);
        var (start, end) = await SeedHourAsync(tenant.TeamId, 20);

        await BackfillAsync(client, tenant, id, start, end);

        Assert.Equal([$"{Stem(start, end)}.parquet.lz4"], await s3.ListKeysAsync(bucket));
    }
}
