using NodaTime;
using NodaTime.TimeZones;

namespace BatchExports.Core.Domain;

/// <summary>What the calendar needs to know about an export's schedule.</summary>
public sealed record ScheduleSpec(
    string Interval,
    string Timezone = "UTC",
    int? IntervalOffset = null,
    DateTimeOffset? StartAt = null,
    DateTimeOffset? EndAt = null)
{
    public static ScheduleSpec Of(BatchExport export) =>
        new(export.Interval, export.Timezone, export.IntervalOffset, export.StartAt, export.EndAt);

    public static ScheduleSpec Of(BatchExportSchedule schedule) =>
        new(schedule.Interval, schedule.Timezone, schedule.IntervalOffset, schedule.StartAt, schedule.EndAt);

    /// <summary>True when the two specs put boundaries at the same instants.</summary>
    public bool SameBoundariesAs(ScheduleSpec other) =>
        Interval == other.Interval
        && (!Intervals.IsCalendar(Interval) || (Timezone == other.Timezone && (IntervalOffset ?? 0) == (other.IntervalOffset ?? 0)));
}

/// <summary>A run's data interval <c>[Start, End)</c>.</summary>
public readonly record struct DataInterval(DateTimeOffset Start, DateTimeOffset End);

/// <summary>
/// The one calendar: turns an export's interval, time zone and offsets into interval boundaries.
/// Scheduled runs, backfills, unpause-with-backfill and any engine's schedule all ask it, so they agree.
/// <list type="bullet">
/// <item><c>every 5 minutes</c>, <c>every 15 minutes</c> and <c>hour</c>: multiples of the interval since the Unix epoch (UTC).</item>
/// <item><c>day</c>: every local midnight + <c>offset_hour</c> in the export's time zone; a day is a calendar day (23 or 25 hours across DST).</item>
/// <item><c>week</c>: every local <c>offset_day</c> (0 = Sunday) at <c>offset_hour</c>.</item>
/// </list>
/// A local time skipped by a DST change maps to the first instant after the gap; a repeated one to its first occurrence.
/// </summary>
public static class ExportCalendar
{
    // Not InZoneLeniently: it shifts a skipped time forward by the gap's length, which overshoots the end of the gap
    // whenever offset_hour falls strictly inside it (Pacific/Chatham 03:00, Antarctica/Troll 02:00).
    private static readonly ZoneLocalMappingResolver FirstOccurrenceOrEndOfGap =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    /// <summary>The greatest boundary at or before <paramref name="instant"/>.</summary>
    public static DateTimeOffset Floor(ScheduleSpec spec, DateTimeOffset instant)
    {
        if (!Intervals.IsCalendar(spec.Interval))
        {
            var length = Intervals.NominalLength(spec.Interval).Ticks;
            var sinceEpoch = instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            var floored = sinceEpoch - Mod(sinceEpoch, length);
            return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + floored, TimeSpan.Zero);
        }

        var zone = Zone(spec.Timezone);
        var date = LocalDate(instant, zone);
        if (spec.Interval == Intervals.Week)
        {
            date = date.PlusDays(-DaysSinceWeekday(date, OffsetDay(spec)));
        }

        var step = spec.Interval == Intervals.Week ? 7 : 1;
        var boundary = Resolve(date, OffsetHour(spec), zone);
        while (boundary > instant)
        {
            date = date.PlusDays(-step);
            boundary = Resolve(date, OffsetHour(spec), zone);
        }

        return boundary;
    }

    /// <summary>The smallest boundary strictly after <paramref name="instant"/>.</summary>
    public static DateTimeOffset Next(ScheduleSpec spec, DateTimeOffset instant)
    {
        if (!Intervals.IsCalendar(spec.Interval))
        {
            return Floor(spec, instant) + Intervals.NominalLength(spec.Interval);
        }

        var zone = Zone(spec.Timezone);
        var step = spec.Interval == Intervals.Week ? 7 : 1;
        var date = LocalDate(Floor(spec, instant), zone);
        DateTimeOffset boundary;
        do
        {
            date = date.PlusDays(step);
            boundary = Resolve(date, OffsetHour(spec), zone);
        }
        while (boundary <= instant);

        return boundary;
    }

    /// <summary>The greatest boundary strictly before <paramref name="instant"/>.</summary>
    public static DateTimeOffset Previous(ScheduleSpec spec, DateTimeOffset instant) => Floor(spec, instant.AddTicks(-1));

    public static bool IsBoundary(ScheduleSpec spec, DateTimeOffset instant) => Floor(spec, instant) == instant;

    /// <summary>The data interval of a run whose schedule fired at boundary <paramref name="end"/>.</summary>
    public static DataInterval IntervalEndingAt(ScheduleSpec spec, DateTimeOffset end) => new(Previous(spec, end), end);

    /// <summary>
    /// Boundaries <c>b</c> with <paramref name="after"/> &lt; b ≤ <paramref name="until"/> at which the schedule fires,
    /// honouring the export's <c>start_at</c> / <c>end_at</c>.
    /// </summary>
    public static IEnumerable<DateTimeOffset> FiringsBetween(ScheduleSpec spec, DateTimeOffset after, DateTimeOffset until)
    {
        if (spec.StartAt is { } startAt && startAt.AddTicks(-1) > after)
        {
            after = startAt.AddTicks(-1);
        }

        if (spec.EndAt is { } endAt && endAt < until)
        {
            until = endAt;
        }

        for (var boundary = Next(spec, after); boundary <= until; boundary = Next(spec, boundary))
        {
            yield return boundary;
        }
    }

    /// <summary>The first firing after <paramref name="after"/>, or null when the export's <c>end_at</c> comes first.</summary>
    public static DateTimeOffset? NextFiring(ScheduleSpec spec, DateTimeOffset after)
    {
        foreach (var firing in FiringsBetween(spec, after, DateTimeOffset.MaxValue))
        {
            return firing;
        }

        return null;
    }

    /// <summary>
    /// The whole intervals a backfill of <c>[start, end)</c> runs: from the boundary at or before
    /// <paramref name="start"/>, up to the last interval that ends by <paramref name="end"/> (no partial tail).
    /// </summary>
    public static IEnumerable<DataInterval> IntervalsCovering(ScheduleSpec spec, DateTimeOffset start, DateTimeOffset end)
    {
        var boundary = Floor(spec, start);
        while (true)
        {
            var next = Next(spec, boundary);
            if (next > end)
            {
                yield break;
            }

            yield return new DataInterval(boundary, next);
            boundary = next;
        }
    }

    public static int CountIntervalsCovering(ScheduleSpec spec, DateTimeOffset start, DateTimeOffset end)
    {
        if (!Intervals.IsCalendar(spec.Interval))
        {
            var first = Floor(spec, start);
            var last = Floor(spec, end);
            return last <= first ? 0 : (int)((last - first).Ticks / Intervals.NominalLength(spec.Interval).Ticks);
        }

        return IntervalsCovering(spec, start, end).Count();
    }

    public static bool IsKnownTimezone(string timezone) => DateTimeZoneProviders.Tzdb.GetZoneOrNull(timezone) != null;

    /// <summary>PostHog numbers weekdays 0 = Sunday … 6 = Saturday.</summary>
    public static int PostHogWeekday(DateOnly date) => (int)date.DayOfWeek;

    /// <summary>The instant a calendar export's day <paramref name="date"/> starts: local <c>offset_hour</c> in its time zone.</summary>
    public static DateTimeOffset StartOfLocalDate(ScheduleSpec spec, DateOnly date) =>
        Resolve(new LocalDate(date.Year, date.Month, date.Day), OffsetHour(spec), Zone(spec.Timezone));

    private static DateTimeZone Zone(string timezone) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(timezone) ?? throw new ArgumentException($"Unknown time zone '{timezone}'.", nameof(timezone));

    private static LocalDate LocalDate(DateTimeOffset instant, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(instant).InZone(zone).Date;

    private static DateTimeOffset Resolve(LocalDate date, int hour, DateTimeZone zone) =>
        date.At(new LocalTime(hour, 0)).InZone(zone, FirstOccurrenceOrEndOfGap).ToDateTimeOffset().ToUniversalTime();

    private static int OffsetHour(ScheduleSpec spec) => (spec.IntervalOffset ?? 0) / 3600 % 24;

    private static int OffsetDay(ScheduleSpec spec) => spec.Interval == Intervals.Week ? (spec.IntervalOffset ?? 0) / 86400 % 7 : 0;

    private static int DaysSinceWeekday(LocalDate date, int postHogWeekday)
    {
        var weekday = (int)date.DayOfWeek % 7; // NodaTime: Monday = 1 … Sunday = 7.
        return ((weekday - postHogWeekday) % 7 + 7) % 7;
    }

    private static long Mod(long value, long modulus) => ((value % modulus) + modulus) % modulus;
}
