using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Worker.Tests.Live;

/// <summary>
/// The Temporal engine end to end against a live server (skipped without <c>TEMPORAL_ADDRESS</c>): a schedule's
/// action runs the export workflow on the worker and the objects land in S3; pause reaches the schedule; a backfill
/// walks its intervals; a cancelled backfill ends Cancelled.
/// </summary>
public sealed class LiveTemporalTests(LiveTemporal temporal) : IClassFixture<LiveTemporal>
{
    private static readonly DateTimeOffset Hour = new(2024, 6, 3, 10, 0, 0, TimeSpan.Zero);

    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id, string Bucket)> S3ExportAsync(int hours)
    {
        var s3 = await S3TestServer.GetAsync();
        var bucket = await s3.CreateBucketAsync();
        var tenant = await temporal.CreateTenantAsync();
        var client = temporal.CreateApiClient(tenant.ApiKey);
        var id = (string)(await client.CreateExportOkAsync(tenant.TeamId, ExportBody(new JsonObject
        {
            ["type"] = "S3",
            ["config"] = new JsonObject
            {
                ["bucket_name"] = bucket, ["region"] = s3.Region, ["prefix"] = "live/",
                ["aws_access_key_id"] = s3.AccessKeyId, ["aws_secret_access_key"] = s3.SecretAccessKey, ["endpoint_url"] = s3.Endpoint,
            },
        })))["id"]!;
        await temporal.EventsAsync(tenant.TeamId, Enumerable.Range(0, hours).Select(h => Hour.AddHours(h).AddMinutes(5)).ToArray());
        return (tenant, client, Guid.Parse(id), bucket);
    }

    private ITemporalClient Client => temporal.Services.GetRequiredService<ITemporalClient>();

    private async Task<string?> BackfillStatusAsync(Guid backfillId)
    {
        await using var db = temporal.CreateDbContext();
        return await db.BatchExportBackfills.Where(b => b.Id == backfillId).Select(b => b.Status).SingleAsync();
    }

    [Fact]
    public async Task TheSchedulesAction_RunsTheExportOnTheWorker_AndTheObjectLandsInS3()
    {
        LiveTemporal.RequireServer();
        var (_, _, id, bucket) = await S3ExportAsync(hours: 1);
        var s3 = await S3TestServer.GetAsync();

        // The scheduler's own backfill: its action starts the workflow with TemporalScheduledStartTime = 11:00.
        await Client.GetScheduleHandle(id.ToString()).BackfillAsync([new ScheduleBackfill(Hour.AddMinutes(59).UtcDateTime, Hour.AddHours(1).UtcDateTime, Temporalio.Api.Enums.V1.ScheduleOverlapPolicy.AllowAll)]);

        await LiveTemporal.EventuallyAsync(async () => (await s3.ListKeysAsync(bucket)).Count == 1, "the scheduled run's object in S3");
        await using var db = temporal.CreateDbContext();
        var run = await db.BatchExportRuns.AsNoTracking().SingleAsync(r => r.BatchExportId == id, TestContext.Current.CancellationToken);
        Assert.Equal((Hour, Hour.AddHours(1)), (run.DataIntervalStart, run.DataIntervalEnd));
        await LiveTemporal.EventuallyAsync(async () =>
        {
            await using var check = temporal.CreateDbContext();
            return await check.BatchExportRuns.AnyAsync(r => r.Id == run.Id && r.Status == RunStatuses.Completed && r.RecordsCompleted == 1);
        }, "the run Completed with its one record");
    }

    [Fact]
    public async Task Pause_PausesTheSchedule_AndUnpauseResumesIt()
    {
        LiveTemporal.RequireServer();
        var (tenant, client, id, _) = await S3ExportAsync(hours: 0);

        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.True((await Client.GetScheduleHandle(id.ToString()).DescribeAsync()).Schedule.State.Paused);
        (await client.UnpauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.False((await Client.GetScheduleHandle(id.ToString()).DescribeAsync()).Schedule.State.Paused);
    }

    [Fact]
    public async Task ABackfill_RunsEachIntervalAsAChild_AndCompletes()
    {
        LiveTemporal.RequireServer();
        var (tenant, client, id, bucket) = await S3ExportAsync(hours: 2);

        var backfill = await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(Hour), Iso(Hour.AddHours(2)));

        await LiveTemporal.EventuallyAsync(async () => await BackfillStatusAsync(Guid.Parse((string)backfill["id"]!)) == BackfillStatuses.Completed, "the backfill Completed");
        Assert.Equal(2, (await (await S3TestServer.GetAsync()).ListKeysAsync(bucket)).Count);
    }

    [Fact]
    public async Task ACancelledBackfill_EndsCancelled()
    {
        LiveTemporal.RequireServer();
        var (tenant, client, id, _) = await S3ExportAsync(hours: 48);
        var backfill = await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(Hour), Iso(Hour.AddHours(48)));
        var backfillId = Guid.Parse((string)backfill["id"]!);
        await LiveTemporal.EventuallyAsync(async () => await BackfillStatusAsync(backfillId) == BackfillStatuses.Running, "the backfill Running");

        (await client.CancelBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);

        await LiveTemporal.EventuallyAsync(async () =>
        {
            await using var db = temporal.CreateDbContext();
            return await db.BatchExportRuns.Where(r => r.BackfillId == backfillId).AllAsync(r => r.Status != RunStatuses.Running && r.Status != RunStatuses.Starting);
        }, "no run of the cancelled backfill still active");
        Assert.Equal(BackfillStatuses.Cancelled, await BackfillStatusAsync(backfillId));
    }
}
