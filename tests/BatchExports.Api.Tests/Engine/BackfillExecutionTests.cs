using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;
using static BatchExports.Testing.RunsAndBackfillsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>The embedded engine drives backfills interval by interval through the calendar (spec §5.4).</summary>
public sealed class BackfillExecutionTests : IsolatedEngineTest
{
    /// <summary>Ten past the next full hour: the start of the current hour.</summary>
    private DateTimeOffset ThisHour() => Factory.MoveToMinutePastTheHour(10) - TimeSpan.FromMinutes(10);

    private async Task<List<BatchExportRun>> RunsAsync(Guid exportId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportRuns.AsNoTracking().Where(r => r.BatchExportId == exportId).OrderBy(r => r.DataIntervalEnd).ToListAsync();
    }

    private static double[] Progress(JsonNode backfill) =>
        [(double)backfill["progress"]!["total_runs"]!, (double)backfill["progress"]!["finished_runs"]!, (double)backfill["progress"]!["progress"]!];

    [Fact]
    public async Task TwoHoursOfAnHourlyExport_BecomeTwoBackfillRuns_WithProgress_ThenCompleted()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        var start = hour - TimeSpan.FromHours(3);
        // Data in the first hour only: the empty second hour still runs.
        await Factory.EventsAsync(tenant.TeamId, start + TimeSpan.FromMinutes(17));
        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(start), Iso(start + TimeSpan.FromHours(2))))["backfill_id"]!;
        var engine = Factory.Engine;

        await engine.TickAsync();
        var planned = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Running", (string?)planned["status"]);
        Assert.Equal([2.0, 0, 0], Progress(planned));

        await engine.TickAsync();
        Assert.Equal(1, await engine.ExecuteAllAsync());
        var halfway = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal([2.0, 1, 0.5], Progress(halfway));

        await engine.DriveAsync();

        var runs = await RunsAsync(id);
        Assert.Equal([start, start + TimeSpan.FromHours(1)], runs.Select(r => r.DataIntervalStart!.Value).ToArray());
        Assert.Equal([start + TimeSpan.FromHours(1), start + TimeSpan.FromHours(2)], runs.Select(r => r.DataIntervalEnd).ToArray());
        Assert.All(runs, r => Assert.Equal(Guid.Parse(backfillId), r.BackfillId));
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
        var listed = (await client.ListRunsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray();
        Assert.All(listed, r => Assert.Equal(backfillId, (string?)r!["backfill"]));
        var done = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)done["status"]);
        Assert.Equal([2.0, 2, 1], Progress(done));
        Assert.NotNull((string?)done["finished_at"]);
        Assert.Equal(0, (long)done["total_records_count"]!);
    }

    [Fact]
    public async Task DayBackfill_InANonUtcTimeZoneWithOffsetHour_RunsTheLocalDays_AcrossDst()
    {
        var body = ExportBody(NoOpDestination(), "day");
        body["timezone"] = "America/New_York";
        body["offset_hour"] = 5;
        var (tenant, client, id) = await Factory.ExportAsync(body);
        await Factory.EventsAsync(tenant.TeamId, DateTimeOffset.Parse("2024-03-09T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        // Clocks go forward on 2024-03-10: that day is 23 hours long.
        var created = await client.CreateBackfillOkAsync(tenant.TeamId, id, "2024-03-09", "2024-03-12");
        Assert.Equal("2024-03-09T10:00:00Z", (string?)created["start_at"]);
        Assert.Equal("2024-03-12T09:00:00Z", (string?)created["end_at"]);
        await Factory.Engine.DriveAsync();

        var runs = await RunsAsync(id);
        Assert.Equal(
            ["2024-03-09T10:00:00Z-2024-03-10T09:00:00Z", "2024-03-10T09:00:00Z-2024-03-11T09:00:00Z", "2024-03-11T09:00:00Z-2024-03-12T09:00:00Z"],
            runs.Select(r => $"{Core.Json.WireJson.FormatDateTime(r.DataIntervalStart!.Value)}-{Core.Json.WireJson.FormatDateTime(r.DataIntervalEnd)}").ToArray());
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
        Assert.Equal("Completed", (string?)(await client.GetBackfillAsync(tenant.TeamId, id, (string)created["id"]!)).Expect(HttpStatusCode.OK)["status"]);
    }

    [Fact]
    public async Task BackfillWithoutStartAt_StartsAtTheEarliestData_AndSaysSoInAdjustedStartAt()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(5) + TimeSpan.FromMinutes(17), hour - TimeSpan.FromHours(2) + TimeSpan.FromMinutes(3));
        var (other, _, _) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(other.TeamId, hour - TimeSpan.FromDays(3));

        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, null, Iso(hour - TimeSpan.FromHours(1))))["backfill_id"]!;
        await Factory.Engine.DriveAsync();

        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Null(backfill["start_at"]);
        Assert.Equal(Core.Json.WireJson.FormatDateTime(hour - TimeSpan.FromHours(5)), (string?)backfill["adjusted_start_at"]);
        Assert.Equal("Completed", (string?)backfill["status"]);
        var runs = (await RunsAsync(id)).Where(r => r.BackfillId != null).ToList();
        Assert.Equal(
            Enumerable.Range(0, 4).Select(i => hour - TimeSpan.FromHours(5 - i)).ToArray(),
            runs.Select(r => r.DataIntervalStart!.Value).ToArray());
    }

    [Fact]
    public async Task BackfillWithoutStartAt_OverNoData_CompletesWithoutRuns()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));

        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, null, Iso(hour - TimeSpan.FromHours(1))))["backfill_id"]!;
        await Factory.Engine.DriveAsync();

        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)backfill["status"]);
        Assert.Equal(0, (long)backfill["total_records_count"]!);
        Assert.Empty(await RunsAsync(id));
    }

    [Fact]
    public async Task BackfillOverARangeWithNoData_CompletesAtOnce_WithNoRuns_AndZeroExpectedRuns()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        // Data outside the range, and another team's data inside it, do not count.
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(8), hour - TimeSpan.FromMinutes(30));
        var (other, _, _) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(other.TeamId, hour - TimeSpan.FromHours(3));

        var backfillId = (string)(await client.CreateBackfillOkAsync(
            tenant.TeamId, id, Iso(hour - TimeSpan.FromHours(5)), Iso(hour - TimeSpan.FromHours(1))))["backfill_id"]!;
        await Factory.Engine.TickAsync();

        // One tick plans it, and planning finishes it: nothing is left for the engine to run.
        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)backfill["status"]);
        Assert.NotNull((string?)backfill["finished_at"]);
        Assert.Equal(0, (long)backfill["total_records_count"]!);
        Assert.Equal([0.0, 0, 1], Progress(backfill));
        await Factory.Engine.DriveAsync();
        Assert.DoesNotContain(await RunsAsync(id), r => r.BackfillId != null);
        Assert.DoesNotContain((await client.ListRunsAsync(tenant.TeamId, id)).Expect(HttpStatusCode.OK)["results"]!.AsArray(), r => r!["backfill"] != null);
    }

    [Fact]
    public async Task BackfillOverARangeWithData_RunsItsEmptyIntervalsToo()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(3) + TimeSpan.FromMinutes(10));

        var backfillId = (string)(await client.CreateBackfillOkAsync(
            tenant.TeamId, id, Iso(hour - TimeSpan.FromHours(5)), Iso(hour - TimeSpan.FromHours(1))))["backfill_id"]!;
        await Factory.Engine.DriveAsync();

        // The range starts at its data (adjusted_start_at), then every hour to the end runs, empty or not.
        var runs = (await RunsAsync(id)).Where(r => r.BackfillId != null).ToList();
        Assert.Equal([hour - TimeSpan.FromHours(3), hour - TimeSpan.FromHours(2)], runs.Select(r => r.DataIntervalStart!.Value).ToArray());
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)backfill["status"]);
        Assert.Equal([2.0, 2, 1], Progress(backfill));
    }

    [Theory]
    [InlineData(10, 5, 5)]
    [InlineData(3, 10, null)]
    public async Task BackfillStartingBeforeTheEarliestData_StartsAtThatDatasInterval(int startHoursAgo, int dataHoursAgo, int? adjustedHoursAgo)
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        // Data in the range's first hour too when it starts after the earliest data, or it would finish at once with no runs.
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(dataHoursAgo) + TimeSpan.FromMinutes(17),
            hour - TimeSpan.FromHours(Math.Min(startHoursAgo, dataHoursAgo)) + TimeSpan.FromMinutes(17));

        var backfillId = (string)(await client.CreateBackfillOkAsync(
            tenant.TeamId, id, Iso(hour - TimeSpan.FromHours(startHoursAgo)), Iso(hour - TimeSpan.FromHours(1))))["backfill_id"]!;
        await Factory.Engine.DriveAsync();

        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        var firstHoursAgo = adjustedHoursAgo ?? startHoursAgo;
        Assert.Equal(
            adjustedHoursAgo is { } adjusted ? Core.Json.WireJson.FormatDateTime(hour - TimeSpan.FromHours(adjusted)) : null,
            (string?)backfill["adjusted_start_at"]);
        var runs = (await RunsAsync(id)).Where(r => r.BackfillId != null).ToList();
        Assert.Equal(firstHoursAgo - 1, runs.Count);
        Assert.Equal(hour - TimeSpan.FromHours(firstHoursAgo), runs[0].DataIntervalStart);
        Assert.Equal([firstHoursAgo - 1.0, firstHoursAgo - 1, 1], Progress(backfill));
    }

    [Fact]
    public async Task BackfillWithoutEndAt_OfAPausedExport_CatchesUpToNow_ThenUnpausesIt()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(3) + TimeSpan.FromMinutes(17));

        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(hour - TimeSpan.FromHours(3)), null))["backfill_id"]!;
        await Factory.Engine.DriveAsync();

        var backfill = (await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        Assert.Equal("Completed", (string?)backfill["status"]);
        Assert.Null(backfill["end_at"]);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => hour - TimeSpan.FromHours(2 - i)).ToArray(), (await RunsAsync(id)).Select(r => r.DataIntervalEnd).ToArray());
        Assert.All(await RunsAsync(id), r => Assert.Equal(Guid.Parse(backfillId), r.BackfillId));
        Assert.False((bool)(await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK)["paused"]!);

        // The schedule takes over from the next boundary: no gap, no overlap.
        Factory.Clock.SetUtcNow(hour + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await Factory.Engine.TickAsync();
        var scheduled = Assert.Single(await RunsAsync(id), r => r.BackfillId == null);
        Assert.Equal(hour, scheduled.DataIntervalStart);
    }

    [Fact]
    public async Task UnpauseWithBackfill_AndTheSchedule_CoverThePausedPeriodOnce()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        await Factory.EventsAsync(tenant.TeamId, hour + TimeSpan.FromMinutes(30));
        Factory.Clock.SetUtcNow(hour + TimeSpan.FromMinutes(3 * 60 + 40));
        await Factory.Engine.TickAsync();

        (await client.UnpauseExportAsync(tenant.TeamId, id.ToString(), backfill: true)).Expect(HttpStatusCode.OK);
        await Factory.Engine.DriveAsync();
        Factory.Clock.SetUtcNow(hour + TimeSpan.FromHours(4) + TimeSpan.FromSeconds(1));
        await Factory.Engine.DriveAsync();

        var runs = await RunsAsync(id);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => hour + TimeSpan.FromHours(i)).ToArray(), runs.Select(r => r.DataIntervalStart!.Value).ToArray());
        Assert.Equal([true, true, true, false], runs.Select(r => r.BackfillId != null).ToArray());
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
    }

    [Fact]
    public async Task DeletingTheExport_CancelsItsActiveBackfillsAndRuns_AndNothingRunsAfter()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(4) + TimeSpan.FromMinutes(17));
        var backfillId = Guid.Parse((string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(hour - TimeSpan.FromHours(4)), Iso(hour)))["backfill_id"]!);
        var finished = await Factory.BackfillAsync(tenant.TeamId, id, BackfillStatuses.Completed);
        var scheduled = await Factory.RunAsync(id, hour, RunStatuses.Running);
        var engine = Factory.Engine;
        await engine.TickAsync();
        await engine.TickAsync();
        var backfillRun = Assert.Single(await RunsAsync(id), r => r.BackfillId == backfillId);
        Assert.Equal(RunStatuses.Starting, backfillRun.Status);

        (await client.DeleteExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.NoContent);
        await engine.DriveAsync();

        await using var db = Factory.CreateDbContext();
        var backfills = await db.BatchExportBackfills.AsNoTracking().Where(b => b.BatchExportId == id).ToDictionaryAsync(b => b.Id);
        Assert.Equal(BackfillStatuses.Cancelled, backfills[backfillId].Status);
        Assert.NotNull(backfills[backfillId].FinishedAt);
        Assert.Equal(BackfillStatuses.Completed, backfills[finished.Id].Status);
        var runs = await RunsAsync(id);
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatuses.Cancelled, r.Status));
        Assert.Contains(runs, r => r.Id == scheduled.Id);
    }

    [Fact]
    public async Task CancellingABackfill_StopsItBetweenIntervals()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(4) + TimeSpan.FromMinutes(17));
        var backfillId = (string)(await client.CreateBackfillOkAsync(tenant.TeamId, id, Iso(hour - TimeSpan.FromHours(4)), Iso(hour)))["backfill_id"]!;
        var engine = Factory.Engine;
        await engine.TickAsync();
        await engine.TickAsync();
        await engine.ExecuteAllAsync();
        await engine.TickAsync();

        (await client.CancelBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK);
        await engine.DriveAsync();

        var runs = await RunsAsync(id);
        Assert.Equal([RunStatuses.Completed, RunStatuses.Cancelled], runs.Select(r => r.Status).ToArray());
        Assert.Equal("Cancelled", (string?)(await client.GetBackfillAsync(tenant.TeamId, id, backfillId)).Expect(HttpStatusCode.OK)["status"]);
    }

    [Fact]
    public async Task TheConcurrentLimit_CountsBackfillsUntilTheEngineFinishesThem()
    {
        var hour = ThisHour();
        var (tenant, client, id) = await Factory.ExportAsync(ExportBody(NoOpDestination()));
        await Factory.EventsAsync(tenant.TeamId, hour - TimeSpan.FromHours(2));
        var start = Iso(hour - TimeSpan.FromHours(2));
        var end = Iso(hour - TimeSpan.FromHours(1));
        for (var i = 0; i < 3; i++)
        {
            await client.CreateBackfillOkAsync(tenant.TeamId, id, start, end);
        }

        Assert.Equal(429, (await client.CreateBackfillAsync(tenant.TeamId, id, start, end)).StatusCode);

        await Factory.Engine.DriveAsync();

        await client.CreateBackfillOkAsync(tenant.TeamId, id, start, end);
        Assert.Equal(3, (await RunsAsync(id)).Count);
    }
}
