using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Testing;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Pipeline.Tests.EndToEnd;

/// <summary>The hosted engine on the real clock: cancelling a running export stops it within seconds.</summary>
public sealed class RealTimeEngineTests : IAsyncLifetime
{
    private readonly RealTimeFactory _factory = new();

    public ValueTask InitializeAsync() => _factory.InitializeAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task CancellingARunningExport_StopsItWithinSeconds_AndAbortsItsUpload()
    {
        var s3 = await S3TestServer.GetAsync();
        var bucket = await s3.CreateBucketAsync();
        var tenant = await _factory.CreateTenantAsync();
        var client = _factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(new JsonObject
        {
            ["type"] = "S3",
            ["config"] = new JsonObject
            {
                ["bucket_name"] = bucket, ["region"] = s3.Region, ["prefix"] = "slow/",
                ["aws_access_key_id"] = s3.AccessKeyId, ["aws_secret_access_key"] = s3.SecretAccessKey, ["endpoint_url"] = s3.Endpoint,
            },
        })))["id"]!;
        var end = DateTimeOffset.UtcNow.AddHours(-3);
        end = new DateTimeOffset(end.Year, end.Month, end.Day, end.Hour, 0, 0, TimeSpan.Zero);
        await using (var db = _factory.CreateDbContext())
        {
            db.Events.Add(new Core.Domain.SourceEvent
            {
                Uuid = Guid.NewGuid(), TeamId = tenant.TeamId, Event = "e", DistinctId = "d", Timestamp = end.AddMinutes(-5), CreatedAt = end, InsertedAt = end,
            });
            await db.SaveChangesAsync();
        }

        // S3 keeps failing, so the upload sits in its retry delays (seconds long) while it is cancelled.
        await s3.InjectFaultAsync(bucket, "PutObject", "InternalError", count: 1000);
        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/backfills/", new JsonObject
        {
            ["start_at"] = end.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz"),
            ["end_at"] = end.ToString("yyyy-MM-ddTHH:mm:sszzz"),
        })).Expect(HttpStatusCode.Created);

        var run = await WaitForAsync(async () =>
        {
            var runs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/")).Expect(HttpStatusCode.OK)["results"]!.AsArray();
            return runs.FirstOrDefault(r => (string?)r!["status"] == "Running");
        });
        await Task.Delay(500);

        var stopwatch = Stopwatch.StartNew();
        (await client.PostAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/{run!["id"]}/cancel/")).Expect(HttpStatusCode.OK);
        await WaitForAsync(async () =>
        {
            var logs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/{run["id"]}/logs/?search=was cancelled")).Expect(HttpStatusCode.OK);
            return (int)logs["count"]! > 0 ? logs : null;
        });
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"the export took {stopwatch.Elapsed} to stop");
        var final = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/runs/{run["id"]}/")).Expect(HttpStatusCode.OK);
        Assert.Equal("Cancelled", (string?)final["status"]);
        Assert.Empty(await s3.ListKeysAsync(bucket));
        Assert.Empty(await s3.ListMultipartUploadKeysAsync(bucket));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The engine did not get there in 30 seconds.");
    }

    private sealed class RealTimeFactory : ApiFactory
    {
        protected override bool UseFakeClock => false;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["BatchExports:Engine:Enabled"] = "true",
            ["BatchExports:Engine:PollInterval"] = "00:00:00.100",
            ["BatchExports:Engine:HeartbeatInterval"] = "00:00:00.250",
            ["BatchExports:Engine:SettleDelay"] = "00:00:00",
        };
    }
}
