using System.Globalization;
using BatchExports.Core.Domain;
using BatchExports.Core.Errors;
using BatchExports.Core.Json;

namespace BatchExports.Core.Services.Backfills;

/// <summary>
/// PostHog's backfill date inputs (spec §4.5): day and week exports take a date, read at <c>offset_hour</c> in the
/// export's time zone (and, for week, on its weekday); other intervals take an ISO datetime with an offset.
/// </summary>
public static class BackfillBounds
{
    public static DateTimeOffset Parse(string value, BatchExport export)
    {
        if (Intervals.IsCalendar(export.Interval))
        {
            if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw new ValidationException(WireJson.TryParseDateTime(value, out _, out _)
                    ? $"Input '{value}' is not a valid ISO formatted date. Daily or weekly batch export backfills expect only the date component, but a time was included."
                    : $"Input '{value}' is not a valid ISO formatted date.");
            }

            if (export.Interval == Intervals.Week && ExportCalendar.PostHogWeekday(date) != export.OffsetDay)
            {
                throw new ValidationException(
                    $"Input {value} is not on the correct day of the week for this batch export. {value} is a {date.DayOfWeek} but this batch export is configured to run weekly on {(DayOfWeek)export.OffsetDay!.Value}.");
            }

            return ExportCalendar.StartOfLocalDate(ScheduleSpec.Of(export), date);
        }

        if (!WireJson.TryParseDateTime(value, out var instant, out var hadOffset))
        {
            // Python's datetime.fromisoformat reads a bare date as midnight, without a time zone.
            throw new ValidationException(IsDate(value) ? $"Input {value} is naive." : $"Input {value} is not a valid ISO formatted datetime.");
        }

        return hadOffset ? instant : throw new ValidationException($"Input {value} is naive.");
    }

    /// <summary>
    /// Python's <c>datetime.isoformat()</c> of a bound <see cref="Parse"/> returned, as PostHog's messages print it:
    /// a calendar export's bound in the export's time zone, any other in the offset its input carried.
    /// </summary>
    public static string IsoFormat(DateTimeOffset value, string input, BatchExport export)
    {
        if (Intervals.IsCalendar(export.Interval))
        {
            return IsoFormat(value, export.Timezone);
        }

        var offset = DateTimeOffset.TryParse(input.Trim().Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)
            ? parsed.Offset
            : TimeSpan.Zero;
        return IsoFormat(value, offset);
    }

    /// <summary>Python's <c>datetime.isoformat()</c> of the instant in <paramref name="timezone"/>, as PostHog's messages print it.</summary>
    public static string IsoFormat(DateTimeOffset value, string timezone)
    {
        var zone = NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(timezone) ?? NodaTime.DateTimeZone.Utc;
        return IsoFormat(value, zone.GetUtcOffset(NodaTime.Instant.FromDateTimeOffset(value)).ToTimeSpan());
    }

    private static bool IsDate(string value) =>
        DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string IsoFormat(DateTimeOffset value, TimeSpan offset)
    {
        var local = value.ToOffset(offset);
        var fraction = local.Ticks % TimeSpan.TicksPerSecond == 0 ? "" : ".ffffff";
        return local.ToString($"yyyy-MM-dd'T'HH:mm:ss{fraction}zzz", CultureInfo.InvariantCulture);
    }
}
