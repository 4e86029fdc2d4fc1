using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Net;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Testing;
using Microsoft.EntityFrameworkCore;
using static BatchExports.Testing.BatchExportsOperations;

namespace BatchExports.Api.Tests.Engine;

/// <summary>The embedded engine turns every due boundary into exactly one run, through the one calendar.</summary>
public sealed class SchedulingTests : IsolatedEngineTest
{
    private async Task<(TestTenant Tenant, ApiClient Client, Guid Id)> ExportAsync(JsonObject body)
    {
        var tenant = await Factory.CreateTenantAsync();
        var client = Factory.CreateApiClient(tenant.ApiKey);
        var created = await client.CreateExportOkAsync(tenant.TeamId, body);
        return (tenant, client, Guid.Parse((string)created["id"]!));
    }

    private async Task<List<BatchExportRun>> RunsAsync(Guid exportId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.BatchExportRuns.Where(r => r.BatchExportId == exportId).OrderBy(r => r.DataIntervalEnd).ToListAsync();
    }

    /// <summary>Moves the fake clock to just after the next boundary of <paramref name="spec"/>.</summary>
    private DateTimeOffset AdvancePast(ScheduleSpec spec, int boundaries = 1)
    {
        var target = Factory.Clock.GetUtcNow();
        for (var i = 0; i < boundaries; i++)
        {
            target = ExportCalendar.Next(spec, target);
        }

        Factory.Clock.SetUtcNow(target + TimeSpan.FromSeconds(1));
        return target;
    }

    [Theory]
    [InlineData("hour", 1)]
    [InlineData("hour", 3)]
    [InlineData("every 5 minutes", 4)]
    [InlineData("every 15 minutes", 2)]
    public async Task DueBoundaries_BecomeOneRunEach_WithTheIntervalEndingThere(string interval, int boundaries)
    {
        var (_, _, id) = await ExportAsync(ExportBody(NoOpDestination(), interval));
        var spec = new ScheduleSpec(interval);
        var engine = Factory.Engine;
        await engine.TickAsync();
        Assert.Empty(await RunsAsync(id));

        var last = AdvancePast(spec, boundaries);
        await engine.TickAsync();
        await engine.TickAsync();

        var runs = await RunsAsync(id);
        Assert.Equal(boundaries, runs.Count);
        Assert.Equal(last, runs[^1].DataIntervalEnd);
        Assert.All(runs, r => Assert.Equal(ExportCalendar.Previous(spec, r.DataIntervalEnd), r.DataIntervalStart));
        Assert.All(runs, r => Assert.Equal(RunStatuses.Starting, r.Status));
        Assert.All(runs, r => Assert.Null(r.BackfillId));
    }

    [Fact]
    public async Task DailyExport_InBerlinAtTwo_FiresAtLocalTwo()
    {
        var body = ExportBody(NoOpDestination(), "day");
        body["timezone"] = "Europe/Berlin";
        body["offset_hour"] = 2;
        var (_, _, id) = await ExportAsync(body);
        var spec = new ScheduleSpec("day", "Europe/Berlin", 7200);
        var engine = Factory.Engine;

        var boundary = AdvancePast(spec);
        await engine.TickAsync();

        var run = Assert.Single(await RunsAsync(id));
        Assert.Equal(boundary, run.DataIntervalEnd);
        var local = TimeZoneInfo.ConvertTime(run.DataIntervalEnd, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal(2, local.Hour);
        Assert.Equal(ExportCalendar.Previous(spec, boundary), run.DataIntervalStart);
    }

    [Fact]
    public async Task WeeklyExport_FiresOnItsWeekday()
    {
        var body = ExportBody(NoOpDestination(), "week");
        body["offset_day"] = 3;
        body["offset_hour"] = 5;
        var (_, _, id) = await ExportAsync(body);
        var spec = new ScheduleSpec("week", "UTC", 3 * 86400 + 5 * 3600);

        var boundary = AdvancePast(spec);
        await Factory.Engine.TickAsync();

        var run = Assert.Single(await RunsAsync(id));
        Assert.Equal(DayOfWeek.Wednesday, run.DataIntervalEnd.DayOfWeek);
        Assert.Equal(5, run.DataIntervalEnd.Hour);
        Assert.Equal(TimeSpan.FromDays(7), run.DataIntervalEnd - run.DataIntervalStart!.Value);
        Assert.Equal(boundary, run.DataIntervalEnd);
    }

    [Fact]
    public async Task ScheduledRuns_ExecuteToCompletion_AndAppearAsLatestRuns()
    {
        var (tenant, client, id) = await ExportAsync(ExportBody(NoOpDestination()));
        AdvancePast(new ScheduleSpec("hour"), 2);
        var engine = Factory.Engine;
        await engine.TickAsync();

        Assert.Equal(2, await engine.ExecuteAllAsync());

        var runs = await RunsAsync(id);
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
        Assert.All(runs, r => Assert.Equal(0, r.RecordsCompleted));
        Assert.All(runs, r => Assert.NotNull(r.FinishedAt));
        Assert.All(runs, r => Assert.Equal(1, r.Attempt));
        var export = (await client.GetExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        Assert.Equal(2, export["latest_runs"]!.AsArray().Count);
        Assert.Equal("Completed", (string?)export["latest_runs"]![0]!["status"]);
    }

    [Fact]
    public async Task ExportWithStartAndEndAt_FiresOnlyInsideThem()
    {
        var spec = new ScheduleSpec("hour");
        var now = Factory.Clock.GetUtcNow();
        var firstAllowed = ExportCalendar.Next(spec, ExportCalendar.Next(spec, now));
        var body = ExportBody(NoOpDestination());
        body["start_at"] = firstAllowed.ToString("O");
        body["end_at"] = (firstAllowed + TimeSpan.FromHours(1)).ToString("O");
        var (_, _, id) = await ExportAsync(body);

        AdvancePast(spec, 5);
        await Factory.Engine.TickAsync();

        var runs = await RunsAsync(id);
        Assert.Equal(new[] { firstAllowed, firstAllowed + TimeSpan.FromHours(1) }, runs.Select(r => r.DataIntervalEnd).ToArray());

        // Past its end the schedule is never due again, so ticks stop touching it.
        await using var db = Factory.CreateDbContext();
        Assert.Null(await db.BatchExportSchedules.Where(s => s.BatchExportId == id).Select(s => s.NextFiringAt).SingleAsync());
    }

    [Fact]
    public async Task IntervalsMissedWhileDown_AreCaughtUpWithinTheWindow_AndTheRestIsLogged()
    {
        var (tenant, client, id) = await ExportAsync(ExportBody(NoOpDestination()));
        var spec = new ScheduleSpec("hour");

        // Three days pass with no engine running.
        AdvancePast(spec, 72);
        await Factory.Engine.TickAsync();

        var runs = await RunsAsync(id);
        Assert.Equal(24, runs.Count);
        Assert.True(runs[0].DataIntervalEnd >= Factory.Clock.GetUtcNow() - TimeSpan.FromDays(1));
        var logs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/logs/?level=WARNING")).Expect(HttpStatusCode.OK);
        Assert.Contains("Skipped 48 interval(s)", (string?)logs["results"]![0]!["message"]);
    }

    [Fact]
    public async Task PausedExports_CreateNoRuns_AndUnpausingDoesNotReplayTheGap()
    {
        var (tenant, client, id) = await ExportAsync(ExportBody(NoOpDestination()));
        var spec = new ScheduleSpec("hour");
        (await client.PauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);

        AdvancePast(spec, 3);
        await Factory.Engine.TickAsync();
        Assert.Empty(await RunsAsync(id));

        (await client.UnpauseExportAsync(tenant.TeamId, id.ToString())).Expect(HttpStatusCode.OK);
        await Factory.Engine.TickAsync();
        Assert.Empty(await RunsAsync(id));

        var next = AdvancePast(spec);
        await Factory.Engine.TickAsync();
        Assert.Equal(next, Assert.Single(await RunsAsync(id)).DataIntervalEnd);
    }

    [Fact]
    public async Task Reconcile_RepairsAMissingOrDriftedSchedule_WithoutAUserEdit()
    {
        var (_, _, id) = await ExportAsync(ExportBody(NoOpDestination()));
        await using (var db = Factory.CreateDbContext())
        {
            await db.BatchExportSchedules.Where(s => s.BatchExportId == id).ExecuteDeleteAsync();
        }

        await Factory.Engine.Reconciler.ReconcileAsync(CancellationToken.None);
        var next = AdvancePast(new ScheduleSpec("hour"));
        await Factory.Engine.TickAsync();

        Assert.Equal(next, Assert.Single(await RunsAsync(id)).DataIntervalEnd);
    }

    [Fact]
    public async Task TwoEnginesOnOneDatabase_CreateAndExecuteEachIntervalOnce()
    {
        var (tenant, client, id) = await ExportAsync(ExportBody(NoOpDestination(), "every 5 minutes"));
        await using var second = new SecondEngineFactory(Factory);
        var first = Factory.Engine;
        var other = second.Engine;

        AdvancePast(new ScheduleSpec("every 5 minutes"), 12);
        second.Clock.SetUtcNow(Factory.Clock.GetUtcNow());
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => i % 2 == 0 ? first.TickAsync() : other.TickAsync()));
        var executed = await Task.WhenAll(first.ExecuteAllAsync(), other.ExecuteAllAsync(), first.ExecuteAllAsync(), other.ExecuteAllAsync());

        var runs = await RunsAsync(id);
        Assert.Equal(12, runs.Count);
        Assert.Equal(12, runs.Select(r => r.DataIntervalEnd).Distinct().Count());
        Assert.Equal(12, executed.Sum());
        Assert.All(runs, r => Assert.Equal(RunStatuses.Completed, r.Status));
        Assert.All(runs, r => Assert.Equal(1, r.Attempt));
        var logs = (await client.GetAsync($"{ExportsPath(tenant.TeamId)}/{id}/logs/?limit=500&search=Batch exporting range")).Expect(HttpStatusCode.OK);
        Assert.Equal(12, (int)logs["count"]!);
    }

    /// <summary>A second API process (its own engine instance id) on the first one's database.</summary>
    private sealed class SecondEngineFactory(EngineApiFactory first) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(first.Clock.GetUtcNow());

        public EngineDriver Engine => new(Services);

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            builder.UseSetting("ConnectionStrings:BatchExports", first.ConnectionString);
            builder.UseSetting("BatchExports:EncryptionKey", ApiFactory.EncryptionKey);
            builder.UseSetting("BatchExports:Engine:Enabled", "false");
            builder.UseSetting("BatchExports:Engine:SettleDelay", "00:00:00");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            builder.ConfigureServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(Clock);
            });
        }
    }
}
