using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Pipeline.Tests.EndToEnd;

/// <summary>
/// A user's view: an hourly S3 export created over HTTP, run by the embedded engine, lands as files with the
/// right keys and rows; the run reports records and bytes; a backfill and a retry export again.
/// </summary>
public sealed class S3ExportEndToEndTests : IsolatedEngineTest
{
    private async Task<(ApiClient Client, TestTenant Tenant, S3TestServer S3, string Bucket)> SetUpAsync()
    {
        var s3 = await S3TestServer.GetAsync();
        var bucket = await s3.CreateBucketAsync();
        var tenant = await Factory.CreateTenantAsync();
        return (Factory.CreateApiClient(tenant.ApiKey), tenant, s3, bucket);
    }

    private static JsonObject S3Body(S3TestServer s3, string bucket, string prefix = "events/{year}/{month}/{day}/") => ExportBody(new JsonObject
    {
        ["type"] = "S3",
        ["config"] = new JsonObject
        {
            ["bucket_name"] = bucket,
            ["region"] = s3.Region,
            ["prefix"] = prefix,
            ["aws_access_key_id"] = s3.AccessKeyId,
            ["aws_secret_access_key"] = s3.SecretAccessKey,
            ["endpoint_url"] = s3.Endpoint,
            ["file_format"] = "JSONLines",
            ["compression"] = "gzip",
        },
    });

    private async Task SeedAsync(int teamId, DateTimeOffset from, int count, TimeSpan spacing)
    {
        await using var db = Factory.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            var at = from + spacing * i;
            db.Events.Add(new SourceEvent
            {
                Uuid = Guid.NewGuid(), TeamId = teamId, Event = "$pageview", DistinctId = $"u{i}", Properties = "{\"i\": " + i + "}",
                Timestamp = at, CreatedAt = at, InsertedAt = at,
            });
        }

        await db.SaveChangesAsync();
    }

    private static int CountLines(byte[] gzipped)
    {
        using var input = new System.IO.Compression.GZipStream(new MemoryStream(gzipped), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(input);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    [Fact]
    public async Task ScheduledHourlyRun_LandsTheHoursEventsInS3_AndReportsThem()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket)))["id"]!;
        var spec = new ScheduleSpec("hour");
        var hourEnd = ExportCalendar.Next(spec, Factory.Clock.GetUtcNow());
        var hourStart = hourEnd.AddHours(-1);
        await SeedAsync(tenant.TeamId, hourStart.AddSeconds(1), 120, TimeSpan.FromSeconds(29));
        await SeedAsync(tenant.TeamId, hourEnd, 5, TimeSpan.FromSeconds(1));

        Factory.Clock.SetUtcNow(hourEnd.AddSeconds(1));
        await Factory.Engine.TickAsync();
        Assert.Equal(1, await Factory.Engine.ExecuteAllAsync());

        var key = Assert.Single(await s3.ListKeysAsync(bucket));
        Assert.Equal($"events/{hourEnd:yyyy}/{hourEnd:MM}/{hourEnd:dd}/{hourStart:yyyy-MM-ddTHH:mm:ss}+00:00-{hourEnd:yyyy-MM-ddTHH:mm:ss}+00:00.jsonl.gz", key);
        var bytes = await s3.ReadObjectAsync(bucket, key);
        Assert.Equal(120, CountLines(bytes));

        var runs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/")).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        var run = Assert.Single(runs)!;
        Assert.Equal("Completed", (string?)run["status"]);
        Assert.Equal(120, (int?)run["records_completed"]);
        Assert.Equal(bytes.Length, (long?)run["bytes_exported"]);
        var logs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/{run["id"]}/logs/")).Expect(HttpStatusCode.OK);
        Assert.Contains(logs["results"]!.AsArray(), l => ((string)l!["message"]!).Contains("finished successfully with 120 records exported"));
    }

    [Fact]
    public async Task BackfillOverTwoHours_ExportsBothHours_AndRetryReexportsOne()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket, "backfill/")))["id"]!;
        var end = ExportCalendar.Floor(new ScheduleSpec("hour"), Factory.Clock.GetUtcNow()).AddHours(-1);
        var start = end.AddHours(-2);
        await SeedAsync(tenant.TeamId, start, 240, TimeSpan.FromSeconds(30));

        var backfill = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/", new JsonObject
        {
            ["start_at"] = start.ToString("yyyy-MM-ddTHH:mm:sszzz"),
            ["end_at"] = end.ToString("yyyy-MM-ddTHH:mm:sszzz"),
        })).Expect(HttpStatusCode.Created);
        await Factory.Engine.DriveAsync();

        var done = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/{backfill["id"]}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)done["status"]);
        Assert.Equal(240, (long?)done["total_records_count"]);
        Assert.Equal(1.0, (double?)done["progress"]!["progress"]);
        var keys = await s3.ListKeysAsync(bucket);
        Assert.Equal(2, keys.Count);
        var total = 0;
        foreach (var key in keys)
        {
            total += CountLines(await s3.ReadObjectAsync(bucket, key));
        }

        Assert.Equal(240, total);

        var runs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/?ordering=data_interval_start&start={Uri.EscapeDataString(start.ToString("O"))}")).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        Assert.Equal(2, runs.Count);
        var retried = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/{runs[0]!["id"]}/retry/")).Expect(HttpStatusCode.OK);
        await Factory.Engine.DriveAsync();

        Assert.Equal(2, (await s3.ListKeysAsync(bucket)).Count);
        var retry = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/{retried["backfill_id"]}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)retry["status"]);
        Assert.Equal(120, (long?)retry["total_records_count"]);
    }

    [Fact]
    public async Task AWrongSecret_FailsTheRunAtOnce_WithLatestErrorAndAnErrorLog()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var body = S3Body(s3, bucket);
        body["destination"]!["config"]!["aws_secret_access_key"] = "not-the-secret";
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, body))["id"]!;
        var hourEnd = ExportCalendar.Next(new ScheduleSpec("hour"), Factory.Clock.GetUtcNow());
        await SeedAsync(tenant.TeamId, hourEnd.AddMinutes(-30), 3, TimeSpan.FromSeconds(1));

        Factory.Clock.SetUtcNow(hourEnd.AddSeconds(1));
        await Factory.Engine.TickAsync();
        await Factory.Engine.ExecuteAllAsync();

        var run = Assert.Single((await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/")).Expect(HttpStatusCode.OK)["results"]!.AsArray())!;
        Assert.Equal("Failed", (string?)run["status"]);
        Assert.Equal("The S3 credentials were rejected: SignatureDoesNotMatch", (string?)run["latest_error"]);
        var errors = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/logs/?level=ERROR")).Expect(HttpStatusCode.OK);
        Assert.Contains("non-recoverable error", (string?)errors["results"]![0]!["message"]);
        Assert.DoesNotContain("not-the-secret", errors.ToJsonString());
    }

    [Fact]
    public async Task TransientErrors_AreRetriedWithBackoff_ThenTheRunCompletes()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket)))["id"]!;
        var hourEnd = ExportCalendar.Next(new ScheduleSpec("hour"), Factory.Clock.GetUtcNow());
        await SeedAsync(tenant.TeamId, hourEnd.AddMinutes(-30), 10, TimeSpan.FromSeconds(1));
        // More failures than the SDK's own retries: the first attempt fails, the second succeeds.
        await s3.InjectFaultAsync(bucket, "PutObject", "InternalError", count: 4);

        Factory.Clock.SetUtcNow(hourEnd.AddSeconds(1));
        await Factory.Engine.TickAsync();
        await Factory.Engine.ExecuteAllAsync();
        var afterFirst = Assert.Single((await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/")).Expect(HttpStatusCode.OK)["results"]!.AsArray())!;
        Assert.Equal("Running", (string?)afterFirst["status"]);
        Assert.Contains("InternalError", (string?)afterFirst["latest_error"]);

        Factory.Clock.Advance(TimeSpan.FromSeconds(11));
        await Factory.Engine.ExecuteAllAsync();

        var run = Assert.Single((await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/")).Expect(HttpStatusCode.OK)["results"]!.AsArray())!;
        Assert.Equal("Completed", (string?)run["status"]);
        Assert.Equal(10, (int?)run["records_completed"]);
        Assert.Single(await s3.ListKeysAsync(bucket));
        var warnings = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/logs/?level=WARNING")).Expect(HttpStatusCode.OK);
        Assert.Contains("Retrying in 10 seconds", (string?)warnings["results"]![0]!["message"]);
    }

    [Fact]
    public async Task DestinationTest_ChecksTheBucketForReal()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var steps = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/test/?destination=S3")).Expect(HttpStatusCode.OK);
        Assert.Equal("Check S3 bucket exists", (string?)steps["steps"]![0]!["name"]);
        Assert.Null(steps["steps"]![0]!["result"]);
        (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/test/?destination=Postgres")).ExpectError(HttpStatusCode.NotFound, "invalid_request");
        (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/test/")).ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "destination");

        var good = S3Body(s3, bucket);
        good["step"] = 0;
        var passed = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/run_test_step_new/", good)).Expect(HttpStatusCode.OK);
        Assert.Equal("Passed", (string?)passed["result"]!["status"]);
        Assert.Null(passed["result"]!["message"]);

        var wrongBucket = S3Body(s3, "no-such-bucket-anywhere");
        var failed = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/run_test_step_new/", wrongBucket)).Expect(HttpStatusCode.OK);
        Assert.Equal("Failed", (string?)failed["result"]!["status"]);
        Assert.Equal("The bucket 'no-such-bucket-anywhere' does not exist", (string?)failed["result"]!["message"]);

        var invalid = S3Body(s3, bucket);
        invalid["destination"]!["config"]!["compression"] = "zstd";
        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/run_test_step_new/", invalid)).ExpectError(HttpStatusCode.BadRequest, "validation_error", attr: "destination");
    }

    [Fact]
    public async Task DestinationTestOfASavedExport_MergesTheSubmittedConfigOverTheStoredSecrets()
    {
        var (client, tenant, s3, bucket) = await SetUpAsync();
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, S3Body(s3, bucket)))["id"]!;

        // Only the bucket is sent; the stored credentials and endpoint are used.
        var onlyBucket = new JsonObject
        {
            ["step"] = 0,
            ["destination"] = new JsonObject { ["type"] = "S3", ["config"] = new JsonObject { ["bucket_name"] = bucket } },
        };
        var passed = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/run_test_step/", onlyBucket)).Expect(HttpStatusCode.OK);
        Assert.Equal("Passed", (string?)passed["result"]!["status"]);

        var wrongSecret = (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/run_test_step/", JsonNode.Parse(
            """{"destination": {"type": "S3", "config": {"aws_secret_access_key": "nope"}}}""")!.AsObject())).Expect(HttpStatusCode.OK);
        Assert.Equal("Failed", (string?)wrongSecret["result"]!["status"]);
        Assert.Contains("credentials were rejected", (string?)wrongSecret["result"]!["message"]);

        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/run_test_step/", JsonNode.Parse(
            """{"destination": {"type": "NoOp", "config": {}}}""")!.AsObject()))
            .ExpectError(HttpStatusCode.BadRequest, "validation_error",
                "Cannot change destination type from 'S3' to 'NoOp'. Delete this batch export and create a new one with the new destination type.", "destination");
    }
}
