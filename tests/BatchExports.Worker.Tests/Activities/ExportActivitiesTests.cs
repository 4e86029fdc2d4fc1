using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using BatchExports.Worker.Activities;
using Microsoft.EntityFrameworkCore;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Testing;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Worker.Tests.Activities;

/// <summary>
/// The export workflow's activities, each run as Temporal runs it (<see cref="ActivityEnvironment"/>, a DI scope of
/// the worker host) against real PostgreSQL and the S3 test server: the same rows and log lines as the embedded
/// engine's (tests/BatchExports.Api.Tests/Engine/RunLoggingTests), objects read back from S3, heartbeats,
/// cancellation, and user errors that Temporal must not retry.
/// </summary>
public sealed class ExportActivitiesTests(WorkerFactory factory) : IClassFixture<WorkerFactory>
{
    private static readonly DateTimeOffset HourEnd = new(2024, 3, 4, 11, 0, 0, TimeSpan.Zero);

    private sealed record Export(TestTenant Tenant, ApiClient Client, Guid Id, string Bucket);

    private async Task<Export> S3ExportAsync(bool createBucket = true, int events = 3, string? endpoint = null)
    {
        var s3 = await S3TestServer.GetAsync();
        var bucket = createBucket ? await s3.CreateBucketAsync() : S3TestServer.UniqueBucketName("missing");
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(new JsonObject
        {
            ["type"] = "S3",
            ["config"] = new JsonObject
            {
                ["bucket_name"] = bucket,
                ["region"] = s3.Region,
                ["prefix"] = "events/",
                ["aws_access_key_id"] = s3.AccessKeyId,
                ["aws_secret_access_key"] = s3.SecretAccessKey,
                ["endpoint_url"] = endpoint ?? s3.Endpoint,
                ["file_format"] = "JSONLines",
                ["compression"] = "gzip",
            },
        })))["id"]!;
        await factory.EventsAsync(tenant.TeamId, Enumerable.Range(0, events).Select(i => HourEnd.AddMinutes(-50 + i)).ToArray());
        // Outside the interval: must not be exported.
        await factory.EventsAsync(tenant.TeamId, HourEnd, HourEnd.AddHours(-1).AddSeconds(-1));
        return new Export(tenant, client, Guid.Parse(id), bucket);
    }

    private Task<Guid> StartRunAsync(Export export, ActivityEnvironment? environment = null) =>
        factory.RunAsync<ExportActivities, Guid>(environment ?? new ActivityEnvironment(), a => a.StartRunAsync(
            new StartRunInput(export.Tenant.TeamId, export.Id, HourEnd.AddHours(-1), HourEnd, null)));

    private async Task<BatchExportRun> StoredAsync(Guid runId)
    {
        await using var db = factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.Id == runId);
    }

    private static async Task<List<JsonNode>> LogsAsync(Export export, Guid runId) =>
        (await export.Client.RunLogsAsync(export.Tenant.TeamId, export.Id, runId)).Expect(HttpStatusCode.OK)["results"]!.AsArray().Select(e => e!).Reverse().ToList();

    private static int CountLines(byte[] gzipped)
    {
        using var input = new GZipStream(new MemoryStream(gzipped), CompressionMode.Decompress);
        using var reader = new StreamReader(input);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    [Fact]
    public async Task StartRun_CreatesTheStartingRow_AndARetryFindsTheSameRow()
    {
        var export = await S3ExportAsync();

        var first = await StartRunAsync(export);
        var again = await StartRunAsync(export, new ActivityEnvironment { Info = ActivityEnvironment.DefaultInfo with { Attempt = 2 } });

        Assert.Equal(first, again);
        var run = await StoredAsync(first);
        Assert.Equal(RunStatuses.Starting, run.Status);
        Assert.Equal((HourEnd.AddHours(-1), HourEnd), (run.DataIntervalStart, run.DataIntervalEnd));
        Assert.Null(run.BackfillId);
    }

    [Fact]
    public async Task ExecuteRun_ExportsToS3_Heartbeats_AndEndsAsTheEmbeddedEngineDoes()
    {
        var export = await S3ExportAsync(events: 3);
        var runId = await StartRunAsync(export);
        var heartbeats = new ConcurrentQueue<object?>();
        var environment = new ActivityEnvironment { Heartbeater = details => heartbeats.Enqueue(Assert.Single(details)) };

        var result = await factory.RunAsync<ExportActivities, RunResult>(environment, a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));

        Assert.Equal(new RunResult(RunStatuses.Completed, 3, null), result);
        Assert.Contains(runId, heartbeats);
        var s3 = await S3TestServer.GetAsync();
        var key = Assert.Single(await s3.ListKeysAsync(export.Bucket));
        Assert.Equal("events/2024-03-04T10:00:00+00:00-2024-03-04T11:00:00+00:00.jsonl.gz", key);
        Assert.Equal(3, CountLines(await s3.ReadObjectAsync(export.Bucket, key)));

        var run = await StoredAsync(runId);
        Assert.Equal((RunStatuses.Completed, 1, 3), (run.Status, run.Attempt, run.RecordsCompleted));
        Assert.True(run.BytesExported > 0);
        Assert.NotNull(run.FinishedAt);
        var logs = await LogsAsync(export, runId);
        // The lifecycle's first and last lines, around the destination's own (the embedded engine writes the same).
        Assert.Equal(
            [
                "INFO Batch exporting range 2024-03-04T10:00:00Z - 2024-03-04T11:00:00Z (events) to S3, attempt 1 of 3.",
                $"INFO Batch exporting range 2024-03-04T10:00:00+00:00 - 2024-03-04T11:00:00+00:00 to S3: s3://{export.Bucket}/events/",
                $"INFO Uploaded 1 file(s), 3 record(s), {run.BytesExported} byte(s): {key}",
                "INFO Batch export for range 2024-03-04T10:00:00Z - 2024-03-04T11:00:00Z finished successfully with 3 records exported.",
            ],
            logs.Select(l => $"{l["level"]} {l["message"]}").ToArray());
    }

    [Fact]
    public async Task ExecuteRun_ASecondDeliveryOfAFinishedRun_ReturnsItsResultWithoutExportingAgain()
    {
        var export = await S3ExportAsync(events: 2);
        var runId = await StartRunAsync(export);
        await factory.RunAsync<ExportActivities, RunResult>(new ActivityEnvironment(), a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));
        var s3 = await S3TestServer.GetAsync();
        using (var client = s3.CreateClient())
        {
            await client.DeleteObjectAsync(export.Bucket, Assert.Single(await s3.ListKeysAsync(export.Bucket)), TestContext.Current.CancellationToken);
        }

        var again = await factory.RunAsync<ExportActivities, RunResult>(
            new ActivityEnvironment { Info = ActivityEnvironment.DefaultInfo with { Attempt = 2 } }, a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));

        Assert.Equal(new RunResult(RunStatuses.Completed, 2, null), again);
        Assert.Empty(await s3.ListKeysAsync(export.Bucket));
        Assert.Equal(4, (await LogsAsync(export, runId)).Count);
    }

    [Fact]
    public async Task ExecuteRun_CancelledByTemporal_StopsAndMarksTheRunCancelled_WithOneLogLine()
    {
        var export = await S3ExportAsync();
        var runId = await StartRunAsync(export);
        var environment = new ActivityEnvironment();
        // The first heartbeat comes once the run is Running and before the pipeline starts: cancel there, as Temporal
        // delivers a workflow's cancel to a heartbeating activity.
        environment = environment with { Heartbeater = _ => environment.Cancel() };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => factory.RunAsync<ExportActivities, RunResult>(environment, a => a.ExecuteRunAsync(new ExecuteRunInput(runId))));
        // The workflow's cleanup then finds the run ended and writes nothing more.
        await factory.RunAsync<ExportActivities>(new ActivityEnvironment(), a => a.FinishRunAsync(new FinishRunInput(runId, RunStatuses.Cancelled, null)));

        var run = await StoredAsync(runId);
        Assert.Equal(RunStatuses.Cancelled, run.Status);
        Assert.NotNull(run.FinishedAt);
        Assert.Empty(await (await S3TestServer.GetAsync()).ListKeysAsync(export.Bucket));
        var logs = await LogsAsync(export, runId);
        Assert.Equal(
            [
                "INFO Batch exporting range 2024-03-04T10:00:00Z - 2024-03-04T11:00:00Z (events) to S3, attempt 1 of 3.",
                "WARNING Batch export for range 2024-03-04T10:00:00Z - 2024-03-04T11:00:00Z was cancelled.",
            ],
            logs.Select(l => $"{l["level"]} {l["message"]}").ToArray());
    }

    [Fact]
    public async Task ExecuteRun_ARunCancelledThroughTheApiFirst_IsNotExecuted()
    {
        var export = await S3ExportAsync();
        var runId = await StartRunAsync(export);
        (await export.Client.CancelRunAsync(export.Tenant.TeamId, export.Id, runId)).Expect(HttpStatusCode.OK);

        var result = await factory.RunAsync<ExportActivities, RunResult>(new ActivityEnvironment(), a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));

        Assert.Equal(RunStatuses.Cancelled, result.Status);
        Assert.Empty(await (await S3TestServer.GetAsync()).ListKeysAsync(export.Bucket));
        Assert.Contains($"cancel {export.Id}-2024-03-04T11:00:00Z", factory.Temporal.Calls);
    }

    [Fact]
    public async Task ExecuteRun_AMissingBucket_FailsTheRunAtOnce_AndCompletesTheActivitySoTemporalDoesNotRetry()
    {
        var export = await S3ExportAsync(createBucket: false);
        var runId = await StartRunAsync(export);

        // PostHog's handle_non_retryable_errors: a user error comes back inside the result (worker spec §1.5).
        var result = await factory.RunAsync<ExportActivities, RunResult>(new ActivityEnvironment(), a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));

        Assert.Equal(RunStatuses.Failed, result.Status);
        var run = await StoredAsync(runId);
        Assert.Equal(RunStatuses.Failed, run.Status);
        Assert.Equal(result.LatestError, run.LatestError);
        Assert.Contains(export.Bucket, run.LatestError, StringComparison.Ordinal);
        var logs = await LogsAsync(export, runId);
        Assert.Equal("ERROR", (string?)logs[^1]["level"]);
        Assert.Equal(
            $"Batch export for range 2024-03-04T10:00:00Z - 2024-03-04T11:00:00Z failed with a non-recoverable error: {run.LatestError}",
            (string?)logs[^1]["message"]);
        Assert.DoesNotContain(logs[..^1], l => (string?)l["level"] != "INFO");
    }

    [Fact]
    public async Task ExecuteRun_ASecondAttemptAfterAWorkerDied_ResumesTheSameRunRow_FromItsHeartbeat()
    {
        var export = await S3ExportAsync(events: 2);
        var runId = await StartRunAsync(export);
        await using (var db = factory.CreateDbContext())
        {
            // Attempt 1 claimed the run and heartbeat its id, then its worker died without writing anything more.
            await db.BatchExportRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(set => set.SetProperty(r => r.Status, RunStatuses.Running).SetProperty(r => r.Attempt, 1));
        }

        var retry = new ActivityEnvironment { Info = ActivityEnvironment.DefaultInfo with { Attempt = 2, HeartbeatDetails = [DataConverter.Default.PayloadConverter.ToPayload(runId)] } };
        var again = await StartRunAsync(export, retry);
        var result = await factory.RunAsync<ExportActivities, RunResult>(retry, a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));

        Assert.Equal(runId, again);
        Assert.Equal(new RunResult(RunStatuses.Completed, 2, null), result);
        await using (var db = factory.CreateDbContext())
        {
            var run = Assert.Single(await db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == export.Id).ToListAsync());
            Assert.Equal((runId, 2), (run.Id, run.Attempt));
        }

        Assert.Single(await (await S3TestServer.GetAsync()).ListKeysAsync(export.Bucket));
        Assert.Equal(
            "INFO Batch exporting range 2024-03-04T10:00:00Z - 2024-03-04T11:00:00Z (events) to S3, attempt 2 of 3.",
            (await LogsAsync(export, runId)).Select(l => $"{l["level"]} {l["message"]}").First());
    }

    [Fact]
    public async Task ExecuteRun_AnS3EndpointThatIsUnavailable_IsARetryableFailure_AndTheNextAttemptResumesTheRun()
    {
        await using var unavailable = UnavailableS3.Start();
        var export = await S3ExportAsync(events: 2, endpoint: unavailable.Endpoint);
        var runId = await StartRunAsync(export);

        var failure = await Assert.ThrowsAsync<ApplicationFailureException>(
            () => factory.RunAsync<ExportActivities, RunResult>(new ActivityEnvironment(), a => a.ExecuteRunAsync(new ExecuteRunInput(runId))));

        // Temporal retries it (not non-retryable), after the lifecycle's own backoff; the row waits Running for that.
        Assert.False(failure.NonRetryable);
        Assert.Equal("RetryableExportError", failure.ErrorType);
        Assert.Equal(RunRetry.Policy.DelayAfter(1), failure.NextRetryDelay);
        var failed = await StoredAsync(runId);
        Assert.Equal((RunStatuses.Running, 1), (failed.Status, failed.Attempt));
        Assert.False(string.IsNullOrEmpty(failed.LatestError));
        Assert.Contains(await LogsAsync(export, runId), l => ((string?)l["message"])!.Contains("Retrying in", StringComparison.Ordinal));

        // The endpoint is fixed before Temporal's next attempt, which continues the same run row.
        var s3 = await S3TestServer.GetAsync();
        (await export.Client.PatchExportAsync(export.Tenant.TeamId, export.Id.ToString(), new JsonObject
        {
            ["destination"] = new JsonObject { ["type"] = "S3", ["config"] = new JsonObject { ["endpoint_url"] = s3.Endpoint } },
        })).Expect(HttpStatusCode.OK);
        var retry = new ActivityEnvironment { Info = ActivityEnvironment.DefaultInfo with { Attempt = 2, HeartbeatDetails = [DataConverter.Default.PayloadConverter.ToPayload(runId)] } };
        var result = await factory.RunAsync<ExportActivities, RunResult>(retry, a => a.ExecuteRunAsync(new ExecuteRunInput(runId)));

        Assert.Equal(new RunResult(RunStatuses.Completed, 2, null), result);
        Assert.Equal((RunStatuses.Completed, 2), ((await StoredAsync(runId)).Status, (await StoredAsync(runId)).Attempt));
        Assert.Single(await s3.ListKeysAsync(export.Bucket));
    }
}
