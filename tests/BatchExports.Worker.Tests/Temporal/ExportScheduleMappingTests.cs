using BatchExports.Core.Domain;
using BatchExports.Temporal;
using Temporalio.Api.Enums.V1;
using Temporalio.Client.Schedules;

namespace BatchExports.Worker.Tests.Temporal;

/// <summary>The schedule as data, for every interval kind, offset and time zone (PostHog's sync_batch_export).</summary>
public sealed class ExportScheduleMappingTests
{
    private static BatchExport Export(string interval, string timezone = "UTC", int? offset = null, bool paused = false) => new()
    {
        Id = Guid.Parse("0190b6a5-0000-7000-8000-000000000001"),
        TeamId = 7,
        DestinationId = Guid.Parse("0190b6a5-0000-7000-8000-0000000000d1"),
        Destination = new BatchExportDestination { Type = "S3" },
        Interval = interval,
        Timezone = timezone,
        IntervalOffset = offset,
        Paused = paused,
        Model = ExportModels.Events,
        StartAt = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(2)),
        EndAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Theory]
    [InlineData(Intervals.Hour, 60, 15)]
    [InlineData(Intervals.Every5Minutes, 5, 1)]
    [InlineData(Intervals.Every15Minutes, 15, 3)]
    public void SpecFor_SubDailyIntervals_AreIntervalSpecsSinceTheEpochWithPostHogsJitter(string interval, int everyMinutes, int jitterMinutes)
    {
        var spec = ExportScheduleMapping.SpecFor(Export(interval));

        var only = Assert.Single(spec.Intervals);
        Assert.Equal(TimeSpan.FromMinutes(everyMinutes), only.Every);
        Assert.Null(only.Offset);
        Assert.Empty(spec.Calendars);
        Assert.Equal(TimeSpan.FromMinutes(jitterMinutes), spec.Jitter);
    }

    [Theory]
    [InlineData("UTC", null, 0)]
    [InlineData("Europe/Berlin", 7200, 2)]
    [InlineData("America/New_York", 23 * 3600, 23)]
    public void SpecFor_Day_IsACalendarAtOffsetHourInTheExportsZone(string timezone, int? offset, int hour)
    {
        var spec = ExportScheduleMapping.SpecFor(Export(Intervals.Day, timezone, offset));

        var calendar = Assert.Single(spec.Calendars);
        Assert.Equal(new ScheduleRange(hour), Assert.Single(calendar.Hour));
        Assert.Equal(new ScheduleRange(0, 6), Assert.Single(calendar.DayOfWeek));
        Assert.Equal($"Daily at {hour} hours after midnight local time", calendar.Comment);
        Assert.Equal(timezone, spec.TimeZoneName);
        Assert.Empty(spec.Intervals);
        Assert.Equal(TimeSpan.FromMinutes(20), spec.Jitter);
    }

    [Theory]
    [InlineData("UTC", null, 0, 0)]
    [InlineData("Europe/Berlin", 93600, 1, 2)]
    [InlineData("Asia/Kolkata", 6 * 86400 + 5 * 3600, 6, 5)]
    public void SpecFor_Week_IsACalendarOnOffsetDayAtOffsetHour(string timezone, int? offset, int day, int hour)
    {
        var spec = ExportScheduleMapping.SpecFor(Export(Intervals.Week, timezone, offset));

        var calendar = Assert.Single(spec.Calendars);
        Assert.Equal(new ScheduleRange(day), Assert.Single(calendar.DayOfWeek));
        Assert.Equal(new ScheduleRange(hour), Assert.Single(calendar.Hour));
        Assert.Equal(timezone, spec.TimeZoneName);
        Assert.Equal(TimeSpan.FromMinutes(30), spec.Jitter);
    }

    [Fact]
    public void SpecFor_StartAndEnd_AreTheExportsBoundsInUtc()
    {
        var spec = ExportScheduleMapping.SpecFor(Export(Intervals.Hour));

        Assert.Equal(new DateTime(2023, 12, 31, 22, 0, 0, DateTimeKind.Utc), spec.StartAt);
        Assert.Equal(DateTimeKind.Utc, spec.StartAt!.Value.Kind);
        Assert.Equal(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), spec.EndAt);
    }

    [Fact]
    public void ScheduleFor_ActionPolicyAndState_AreAsPostHogs()
    {
        var export = Export(Intervals.Hour, paused: true);

        var schedule = ExportScheduleMapping.ScheduleFor(export, "s3-export", "batch-exports-task-queue");

        var action = Assert.IsType<ScheduleActionStartWorkflow>(schedule.Action);
        Assert.Equal("s3-export", action.Workflow);
        Assert.Equal(export.Id.ToString(), action.Options.Id);
        Assert.Equal("batch-exports-task-queue", action.Options.TaskQueue);
        Assert.Equal(2, action.Options.RetryPolicy!.MaximumAttempts);
        Assert.Equal("Batch export events every hour to S3", action.Options.StaticSummary);
        var input = Assert.IsType<ExportWorkflowInput>(Assert.Single(action.Args));
        Assert.Equal((export.Id, 7, "hour", "UTC", "events"), (input.BatchExportId, input.TeamId, input.Interval, input.Timezone, input.BatchExportModel.Name));
        Assert.Null(input.DataIntervalEnd);
        Assert.Equal(ScheduleOverlapPolicy.AllowAll, schedule.Policy.Overlap);
        Assert.True(schedule.State.Paused);
        Assert.Equal($"Schedule updated for BatchExport {export.Id} to Destination {export.DestinationId} in Team 7.", schedule.State.Note);
    }

    [Fact]
    public void WorkflowIds_AreAsPostHogForms()
    {
        var id = Guid.Parse("0190b6a5-0000-7000-8000-000000000001");

        Assert.Equal($"{id}-2024-01-02T03:00:00Z", WorkflowIds.Run(id, new DateTimeOffset(2024, 1, 2, 4, 0, 0, TimeSpan.FromHours(1))));
        Assert.Equal($"{id}-Backfill-2024-01-01T00:00:00+00:00-END", WorkflowIds.Backfill(id, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), null));
        Assert.Equal($"{id}-Backfill-START-END", WorkflowIds.Backfill(id, null, null));
    }
}
