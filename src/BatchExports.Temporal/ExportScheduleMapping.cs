using BatchExports.Core.Domain;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Client.Schedules;
using Temporalio.Common;
using CalendarSpec = BatchExports.Core.Domain.ScheduleSpec;
using TemporalScheduleSpec = Temporalio.Client.Schedules.ScheduleSpec;

namespace BatchExports.Temporal;

/// <summary>
/// An export row as its Temporal Schedule, as PostHog's <c>sync_batch_export</c> builds it (worker spec §3.1): id =
/// export id; <c>day</c>/<c>week</c> as calendar specs at the offsets in the export's time zone, the other intervals as
/// interval specs since the epoch — the same boundaries as <see cref="ExportCalendar"/>; <c>start_at</c>/<c>end_at</c>;
/// PostHog's jitter; overlap ALLOW_ALL; paused with its note; the action starts the destination's workflow on the
/// task queue with the export's inputs. Pure, so every interval kind, offset and zone is tested as data.
/// </summary>
public static class ExportScheduleMapping
{
    /// <summary>PostHog's workflow retry policy on the schedule action (worker spec §1.4).</summary>
    public static readonly RetryPolicy WorkflowRetry = new()
    {
        InitialInterval = TimeSpan.FromSeconds(10),
        MaximumInterval = TimeSpan.FromSeconds(60),
        MaximumAttempts = 2,
        NonRetryableErrorTypes = ["ActivityError", "ApplicationError", "CancelledError"],
    };

    public static Schedule ScheduleFor(BatchExport export, string workflowName, string taskQueue)
    {
        ArgumentNullException.ThrowIfNull(export);
        var action = ScheduleActionStartWorkflow.Create(
            workflowName,
            [InputFor(export)],
            new WorkflowOptions(id: export.Id.ToString(), taskQueue: taskQueue)
            {
                RetryPolicy = WorkflowRetry,
                StaticSummary = Summary(export),
            });
        return new Schedule(action, SpecFor(export))
        {
            Policy = new SchedulePolicy { Overlap = ScheduleOverlapPolicy.AllowAll },
            State = new ScheduleState { Paused = export.Paused, Note = Note(export) },
        };
    }

    public static TemporalScheduleSpec SpecFor(BatchExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        var calendar = CalendarSpec.Of(export);
        var offsetHour = (export.IntervalOffset ?? 0) / 3600 % 24;
        var spec = export.Interval switch
        {
            Intervals.Day => new TemporalScheduleSpec
            {
                Calendars =
                [
                    new ScheduleCalendarSpec
                    {
                        Hour = [new ScheduleRange(offsetHour)],
                        DayOfWeek = [new ScheduleRange(0, 6)],
                        Comment = $"Daily at {offsetHour} hours after midnight local time",
                    },
                ],
            },
            Intervals.Week => new TemporalScheduleSpec
            {
                Calendars =
                [
                    new ScheduleCalendarSpec
                    {
                        Hour = [new ScheduleRange(offsetHour)],
                        DayOfWeek = [new ScheduleRange(export.OffsetDay ?? 0)],
                        Comment = $"Weekly on day {export.OffsetDay ?? 0} at {offsetHour} hours after midnight local time",
                    },
                ],
            },
            _ => new TemporalScheduleSpec { Intervals = [new ScheduleIntervalSpec(Intervals.NominalLength(calendar.Interval))] },
        };

        // Temporal rejects a DateTime that is not UTC-kinded; UtcDateTime is.
        return spec with
        {
            StartAt = export.StartAt?.UtcDateTime,
            EndAt = export.EndAt?.UtcDateTime,
            Jitter = Jitter(export.Interval),
            TimeZoneName = export.Timezone,
        };
    }

    /// <summary>PostHog's <c>BatchExport.jitter</c>: below the interval, so a run never starts after its next one is due.</summary>
    public static TimeSpan Jitter(string interval) => interval switch
    {
        Intervals.Hour => TimeSpan.FromMinutes(15),
        Intervals.Day => TimeSpan.FromMinutes(20),
        Intervals.Week => TimeSpan.FromMinutes(30),
        _ => Intervals.NominalLength(interval) / 5,
    };

    public static ExportWorkflowInput InputFor(BatchExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        return new ExportWorkflowInput(
            export.Id, export.TeamId, export.Interval, export.Timezone, export.IntervalOffset, new ExportModelInput(export.Model),
            IntegrationId: export.Destination?.IntegrationId);
    }

    public static string Note(BatchExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        return $"Schedule updated for BatchExport {export.Id} to Destination {export.DestinationId} in Team {export.TeamId}.";
    }

    private static string Summary(BatchExport export) =>
        $"Batch export {export.Model} {(export.Interval.StartsWith("every ", StringComparison.Ordinal) ? export.Interval : "every " + export.Interval)} to {export.Destination?.Type}";
}
