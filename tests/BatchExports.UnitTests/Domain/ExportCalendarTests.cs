using System.Globalization;
using BatchExports.Core.Domain;

namespace BatchExports.UnitTests.Domain;

public sealed class ExportCalendarTests
{
    private const string Utc = "UTC";
    private const string Berlin = "Europe/Berlin";
    private const string NewYork = "America/New_York";
    private const string Kathmandu = "Asia/Kathmandu";

    private const int Hour = 3600;
    private const int Day = 86400;
    private const int MondayAt2 = (1 * Day) + (2 * Hour);

    // interval, timezone, interval_offset, instant, Floor, Next, Previous
    public static TheoryData<string, string, int?, string, string, string, string> BoundaryCases => new()
    {
        { Intervals.Every5Minutes, Utc, null, "2025-01-15T10:05:00Z", "2025-01-15T10:05:00Z", "2025-01-15T10:10:00Z", "2025-01-15T10:00:00Z" },
        { Intervals.Every5Minutes, Utc, null, "2025-01-15T10:07:30Z", "2025-01-15T10:05:00Z", "2025-01-15T10:10:00Z", "2025-01-15T10:05:00Z" },
        { Intervals.Every5Minutes, Kathmandu, null, "2025-01-15T10:07:30Z", "2025-01-15T10:05:00Z", "2025-01-15T10:10:00Z", "2025-01-15T10:05:00Z" },
        { Intervals.Every5Minutes, Utc, null, "1969-12-31T23:58:00Z", "1969-12-31T23:55:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:55:00Z" },
        { Intervals.Every15Minutes, Utc, null, "2025-01-15T10:15:00Z", "2025-01-15T10:15:00Z", "2025-01-15T10:30:00Z", "2025-01-15T10:00:00Z" },
        { Intervals.Every15Minutes, Utc, null, "2025-01-15T10:29:59.9999999Z", "2025-01-15T10:15:00Z", "2025-01-15T10:30:00Z", "2025-01-15T10:15:00Z" },
        { Intervals.Every15Minutes, Utc, null, "2025-01-15T10:30:00.0000001Z", "2025-01-15T10:30:00Z", "2025-01-15T10:45:00Z", "2025-01-15T10:30:00Z" },
        { Intervals.Every15Minutes, NewYork, null, "2025-03-09T07:10:00Z", "2025-03-09T07:00:00Z", "2025-03-09T07:15:00Z", "2025-03-09T07:00:00Z" },
        { Intervals.Hour, Utc, null, "2025-01-15T10:00:00Z", "2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T09:00:00Z" },
        { Intervals.Hour, Utc, null, "2025-01-15T10:59:59Z", "2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T10:00:00Z" },
        { Intervals.Hour, Utc, null, "2024-12-31T23:30:00Z", "2024-12-31T23:00:00Z", "2025-01-01T00:00:00Z", "2024-12-31T23:00:00Z" },
        // Kathmandu is +05:45: local 15:45 and 16:00 are not boundaries, UTC hours are.
        { Intervals.Hour, Kathmandu, null, "2025-01-15T10:00:00Z", "2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T09:00:00Z" },
        { Intervals.Hour, Kathmandu, null, "2025-01-15T10:15:00Z", "2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T10:00:00Z" },
        { Intervals.Hour, Berlin, null, "2025-03-30T01:30:00Z", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z", "2025-03-30T01:00:00Z" },
        { Intervals.Day, Utc, null, "2025-01-15T00:00:00Z", "2025-01-15T00:00:00Z", "2025-01-16T00:00:00Z", "2025-01-14T00:00:00Z" },
        { Intervals.Day, Utc, 0, "2025-01-15T13:00:00Z", "2025-01-15T00:00:00Z", "2025-01-16T00:00:00Z", "2025-01-15T00:00:00Z" },
        { Intervals.Day, Utc, 5 * Hour, "2025-01-15T04:59:59Z", "2025-01-14T05:00:00Z", "2025-01-15T05:00:00Z", "2025-01-14T05:00:00Z" },
        { Intervals.Day, Utc, 5 * Hour, "2025-01-15T05:00:00Z", "2025-01-15T05:00:00Z", "2025-01-16T05:00:00Z", "2025-01-14T05:00:00Z" },
        { Intervals.Day, Berlin, 0, "2025-01-15T12:00:00Z", "2025-01-14T23:00:00Z", "2025-01-15T23:00:00Z", "2025-01-14T23:00:00Z" },
        { Intervals.Day, Berlin, 0, "2025-01-14T23:00:00Z", "2025-01-14T23:00:00Z", "2025-01-15T23:00:00Z", "2025-01-13T23:00:00Z" },
        { Intervals.Day, Kathmandu, 0, "2025-01-15T12:00:00Z", "2025-01-14T18:15:00Z", "2025-01-15T18:15:00Z", "2025-01-14T18:15:00Z" },
        // Berlin spring-forward: local 02:00 does not exist on 2025-03-30, the boundary is 03:00 CEST (01:00Z).
        { Intervals.Day, Berlin, 2 * Hour, "2025-03-30T00:59:00Z", "2025-03-29T01:00:00Z", "2025-03-30T01:00:00Z", "2025-03-29T01:00:00Z" },
        { Intervals.Day, Berlin, 2 * Hour, "2025-03-30T01:00:00Z", "2025-03-30T01:00:00Z", "2025-03-31T00:00:00Z", "2025-03-29T01:00:00Z" },
        // Berlin fall-back: local 02:00-03:00 on 2025-10-26 happens twice; the boundary is the first 02:00 (CEST, 00:00Z).
        { Intervals.Day, Berlin, 2 * Hour, "2025-10-25T23:59:00Z", "2025-10-25T00:00:00Z", "2025-10-26T00:00:00Z", "2025-10-25T00:00:00Z" },
        { Intervals.Day, Berlin, 2 * Hour, "2025-10-26T00:30:00Z", "2025-10-26T00:00:00Z", "2025-10-27T01:00:00Z", "2025-10-26T00:00:00Z" },
        { Intervals.Day, Berlin, 2 * Hour, "2025-10-26T01:00:00Z", "2025-10-26T00:00:00Z", "2025-10-27T01:00:00Z", "2025-10-26T00:00:00Z" },
        { Intervals.Day, Berlin, 2 * Hour, "2025-10-26T01:30:00Z", "2025-10-26T00:00:00Z", "2025-10-27T01:00:00Z", "2025-10-26T00:00:00Z" },
        { Intervals.Day, NewYork, 1 * Hour, "2025-11-02T05:30:00Z", "2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z", "2025-11-02T05:00:00Z" },
        { Intervals.Day, NewYork, 1 * Hour, "2025-11-02T06:30:00Z", "2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z", "2025-11-02T05:00:00Z" },
        // 2025-01-15 is a Wednesday.
        { Intervals.Week, Utc, null, "2025-01-15T12:00:00Z", "2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z", "2025-01-12T00:00:00Z" },
        { Intervals.Week, Utc, 0, "2025-01-12T00:00:00Z", "2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z", "2025-01-05T00:00:00Z" },
        { Intervals.Week, Utc, 0, "2025-01-18T23:59:59Z", "2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z", "2025-01-12T00:00:00Z" },
        { Intervals.Week, Utc, (6 * Day) + (23 * Hour), "2025-01-15T12:00:00Z", "2025-01-11T23:00:00Z", "2025-01-18T23:00:00Z", "2025-01-11T23:00:00Z" },
        { Intervals.Week, Berlin, MondayAt2, "2025-01-15T12:00:00Z", "2025-01-13T01:00:00Z", "2025-01-20T01:00:00Z", "2025-01-13T01:00:00Z" },
        { Intervals.Week, Berlin, MondayAt2, "2025-01-13T01:00:00Z", "2025-01-13T01:00:00Z", "2025-01-20T01:00:00Z", "2025-01-06T01:00:00Z" },
        // Monday 01:59 local, and Sunday 23:30 UTC which is already Monday 00:30 local: both before Monday 02:00.
        { Intervals.Week, Berlin, MondayAt2, "2025-01-13T00:59:00Z", "2025-01-06T01:00:00Z", "2025-01-13T01:00:00Z", "2025-01-06T01:00:00Z" },
        { Intervals.Week, Berlin, MondayAt2, "2025-01-12T23:30:00Z", "2025-01-06T01:00:00Z", "2025-01-13T01:00:00Z", "2025-01-06T01:00:00Z" },
        { Intervals.Week, Berlin, MondayAt2, "2025-03-30T12:00:00Z", "2025-03-24T01:00:00Z", "2025-03-31T00:00:00Z", "2025-03-24T01:00:00Z" },
    };

    [Theory]
    [MemberData(nameof(BoundaryCases))]
    public void FloorNextPrevious(string interval, string timezone, int? offset, string instant, string floor, string next, string previous)
    {
        var spec = new ScheduleSpec(interval, timezone, offset);
        var at = At(instant);

        Assert.Equal(At(floor), ExportCalendar.Floor(spec, at));
        Assert.Equal(At(next), ExportCalendar.Next(spec, at));
        Assert.Equal(At(previous), ExportCalendar.Previous(spec, at));
        Assert.Equal(floor == instant, ExportCalendar.IsBoundary(spec, at));
        Assert.Equal(new DataInterval(At(previous), at), ExportCalendar.IntervalEndingAt(spec, at));
    }

    // interval, timezone, interval_offset, local start date, interval start, interval end, length in hours
    public static TheoryData<string, string, int, string, string, string, double> CalendarIntervals => new()
    {
        { Intervals.Day, Utc, 0, "2025-03-30", "2025-03-30T00:00:00Z", "2025-03-31T00:00:00Z", 24 },
        { Intervals.Day, Berlin, 0, "2025-03-29", "2025-03-28T23:00:00Z", "2025-03-29T23:00:00Z", 24 },
        { Intervals.Day, Berlin, 0, "2025-03-30", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", 23 },
        { Intervals.Day, Berlin, 0, "2025-03-31", "2025-03-30T22:00:00Z", "2025-03-31T22:00:00Z", 24 },
        { Intervals.Day, Berlin, 2 * Hour, "2025-03-29", "2025-03-29T01:00:00Z", "2025-03-30T01:00:00Z", 24 },
        { Intervals.Day, Berlin, 2 * Hour, "2025-03-30", "2025-03-30T01:00:00Z", "2025-03-31T00:00:00Z", 23 },
        { Intervals.Day, Berlin, 3 * Hour, "2025-03-29", "2025-03-29T02:00:00Z", "2025-03-30T01:00:00Z", 23 },
        { Intervals.Day, Berlin, 3 * Hour, "2025-03-30", "2025-03-30T01:00:00Z", "2025-03-31T01:00:00Z", 24 },
        { Intervals.Day, Berlin, 0, "2025-10-25", "2025-10-24T22:00:00Z", "2025-10-25T22:00:00Z", 24 },
        { Intervals.Day, Berlin, 0, "2025-10-26", "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z", 25 },
        { Intervals.Day, Berlin, 0, "2025-10-27", "2025-10-26T23:00:00Z", "2025-10-27T23:00:00Z", 24 },
        { Intervals.Day, Berlin, 2 * Hour, "2025-10-25", "2025-10-25T00:00:00Z", "2025-10-26T00:00:00Z", 24 },
        { Intervals.Day, Berlin, 2 * Hour, "2025-10-26", "2025-10-26T00:00:00Z", "2025-10-27T01:00:00Z", 25 },
        { Intervals.Day, Berlin, 3 * Hour, "2025-10-25", "2025-10-25T01:00:00Z", "2025-10-26T02:00:00Z", 25 },
        { Intervals.Day, Berlin, 3 * Hour, "2025-10-26", "2025-10-26T02:00:00Z", "2025-10-27T02:00:00Z", 24 },
        { Intervals.Day, NewYork, 0, "2025-03-08", "2025-03-08T05:00:00Z", "2025-03-09T05:00:00Z", 24 },
        { Intervals.Day, NewYork, 0, "2025-03-09", "2025-03-09T05:00:00Z", "2025-03-10T04:00:00Z", 23 },
        { Intervals.Day, NewYork, 2 * Hour, "2025-03-08", "2025-03-08T07:00:00Z", "2025-03-09T07:00:00Z", 24 },
        { Intervals.Day, NewYork, 2 * Hour, "2025-03-09", "2025-03-09T07:00:00Z", "2025-03-10T06:00:00Z", 23 },
        { Intervals.Day, NewYork, 0, "2025-11-02", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z", 25 },
        { Intervals.Day, NewYork, 1 * Hour, "2025-11-01", "2025-11-01T05:00:00Z", "2025-11-02T05:00:00Z", 24 },
        { Intervals.Day, NewYork, 1 * Hour, "2025-11-02", "2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z", 25 },
        { Intervals.Day, NewYork, 2 * Hour, "2025-11-01", "2025-11-01T06:00:00Z", "2025-11-02T07:00:00Z", 25 },
        // offset_hour strictly inside a gap (Chatham skips 02:45-03:45, Troll 01:00-03:00): the first instant after the gap.
        { Intervals.Day, "Pacific/Chatham", 3 * Hour, "2025-09-27", "2025-09-26T14:15:00Z", "2025-09-27T14:00:00Z", 23.75 },
        { Intervals.Day, "Pacific/Chatham", 3 * Hour, "2025-09-28", "2025-09-27T14:00:00Z", "2025-09-28T13:15:00Z", 23.25 },
        { Intervals.Day, "Antarctica/Troll", 2 * Hour, "2025-03-29", "2025-03-29T02:00:00Z", "2025-03-30T01:00:00Z", 23 },
        { Intervals.Day, "Antarctica/Troll", 2 * Hour, "2025-03-30", "2025-03-30T01:00:00Z", "2025-03-31T00:00:00Z", 23 },
        { Intervals.Day, "Antarctica/Troll", 2 * Hour, "2025-10-26", "2025-10-26T00:00:00Z", "2025-10-27T02:00:00Z", 26 },
        { Intervals.Week, Utc, 0, "2025-03-30", "2025-03-30T00:00:00Z", "2025-04-06T00:00:00Z", 168 },
        { Intervals.Week, Berlin, 0, "2025-03-23", "2025-03-22T23:00:00Z", "2025-03-29T23:00:00Z", 168 },
        { Intervals.Week, Berlin, 0, "2025-03-30", "2025-03-29T23:00:00Z", "2025-04-05T22:00:00Z", 167 },
        { Intervals.Week, Berlin, MondayAt2, "2025-03-24", "2025-03-24T01:00:00Z", "2025-03-31T00:00:00Z", 167 },
        { Intervals.Week, Berlin, MondayAt2, "2025-03-31", "2025-03-31T00:00:00Z", "2025-04-07T00:00:00Z", 168 },
        { Intervals.Week, Berlin, MondayAt2, "2025-10-20", "2025-10-20T00:00:00Z", "2025-10-27T01:00:00Z", 169 },
        { Intervals.Week, NewYork, 0, "2025-11-02", "2025-11-02T04:00:00Z", "2025-11-09T05:00:00Z", 169 },
    };

    [Theory]
    [MemberData(nameof(CalendarIntervals))]
    public void CalendarInterval_StartsAtLocalOffsetHour_AndLastsACalendarDayOrWeek(
        string interval, string timezone, int offset, string localDate, string start, string end, double hours)
    {
        var spec = new ScheduleSpec(interval, timezone, offset);
        var date = DateOnly.ParseExact(localDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);

        Assert.Equal(At(start), ExportCalendar.StartOfLocalDate(spec, date));
        Assert.True(ExportCalendar.IsBoundary(spec, At(start)));
        Assert.Equal(At(end), ExportCalendar.Next(spec, At(start)));
        Assert.Equal(At(start), ExportCalendar.Floor(spec, At(end).AddTicks(-1)));
        Assert.Equal(new DataInterval(At(start), At(end)), ExportCalendar.IntervalEndingAt(spec, At(end)));
        Assert.Equal(TimeSpan.FromHours(hours), At(end) - At(start));
    }

    // interval, timezone, interval_offset, start, end, expected boundaries (intervals run between consecutive ones)
    public static TheoryData<string, string, int?, string, string, string[]> CoveringCases => new()
    {
        { Intervals.Hour, Utc, null, "2025-01-15T10:00:00Z", "2025-01-15T12:00:00Z", ["2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T10:30:00Z", "2025-01-15T12:00:00Z", ["2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T10:00:00Z", "2025-01-15T12:59:59Z", ["2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Kathmandu, null, "2025-01-15T10:00:00Z", "2025-01-15T12:00:00Z", ["2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T10:30:00Z", "2025-01-15T10:45:00Z", [] },
        { Intervals.Hour, Utc, null, "2025-01-15T12:00:00Z", "2025-01-15T10:00:00Z", [] },
        { Intervals.Every15Minutes, Utc, null, "2025-01-15T10:07:00Z", "2025-01-15T11:00:00Z", ["2025-01-15T10:00:00Z", "2025-01-15T10:15:00Z", "2025-01-15T10:30:00Z", "2025-01-15T10:45:00Z", "2025-01-15T11:00:00Z"] },
        { Intervals.Day, Berlin, 0, "2025-03-29T12:00:00Z", "2025-04-01T00:00:00Z", ["2025-03-28T23:00:00Z", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", "2025-03-31T22:00:00Z"] },
        { Intervals.Day, NewYork, 0, "2025-11-01T04:00:00Z", "2025-11-04T05:00:00Z", ["2025-11-01T04:00:00Z", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z", "2025-11-04T05:00:00Z"] },
        { Intervals.Day, NewYork, 0, "2025-11-01T04:00:00Z", "2025-11-04T04:59:59Z", ["2025-11-01T04:00:00Z", "2025-11-02T04:00:00Z", "2025-11-03T05:00:00Z"] },
        { Intervals.Week, Utc, null, "2025-01-12T00:00:00Z", "2025-01-26T00:00:00Z", ["2025-01-12T00:00:00Z", "2025-01-19T00:00:00Z", "2025-01-26T00:00:00Z"] },
        { Intervals.Week, Berlin, MondayAt2, "2025-03-20T00:00:00Z", "2025-04-08T00:00:00Z", ["2025-03-17T01:00:00Z", "2025-03-24T01:00:00Z", "2025-03-31T00:00:00Z", "2025-04-07T00:00:00Z"] },
    };

    [Theory]
    [MemberData(nameof(CoveringCases))]
    public void IntervalsCovering_FloorsTheStart_AndLeavesNoPartialTail(string interval, string timezone, int? offset, string start, string end, string[] boundaries)
    {
        var spec = new ScheduleSpec(interval, timezone, offset);
        var expected = boundaries.Zip(boundaries.Skip(1), (from, to) => new DataInterval(At(from), At(to))).ToList();

        Assert.Equal(expected, ExportCalendar.IntervalsCovering(spec, At(start), At(end)).ToList());
        Assert.Equal(expected.Count, ExportCalendar.CountIntervalsCovering(spec, At(start), At(end)));
    }

    // interval, timezone, interval_offset, start_at, end_at, after, until, expected firings
    public static TheoryData<string, string, int?, string?, string?, string, string, string[]> FiringCases => new()
    {
        { Intervals.Hour, Utc, null, null, null, "2025-01-15T10:00:00Z", "2025-01-15T13:00:00Z", ["2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z"] },
        { Intervals.Hour, Utc, null, null, null, "2025-01-15T10:30:00Z", "2025-01-15T12:30:00Z", ["2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, null, null, "2025-01-15T10:00:00Z", "2025-01-15T10:00:00Z", [] },
        { Intervals.Hour, Utc, null, "2025-01-15T11:00:00Z", null, "2025-01-15T09:00:00Z", "2025-01-15T13:00:00Z", ["2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T11:30:00Z", null, "2025-01-15T09:00:00Z", "2025-01-15T13:00:00Z", ["2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T09:00:00Z", null, "2025-01-15T11:00:00Z", "2025-01-15T13:00:00Z", ["2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z"] },
        { Intervals.Hour, Utc, null, null, "2025-01-15T12:00:00Z", "2025-01-15T10:00:00Z", "2025-01-15T14:00:00Z", ["2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, null, "2025-01-15T12:30:00Z", "2025-01-15T10:00:00Z", "2025-01-15T14:00:00Z", ["2025-01-15T11:00:00Z", "2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T12:00:00Z", "2025-01-15T12:00:00Z", "2025-01-15T10:00:00Z", "2025-01-15T14:00:00Z", ["2025-01-15T12:00:00Z"] },
        { Intervals.Hour, Utc, null, "2025-01-15T15:00:00Z", null, "2025-01-15T10:00:00Z", "2025-01-15T14:00:00Z", [] },
        { Intervals.Hour, Utc, null, null, "2025-01-15T09:00:00Z", "2025-01-15T10:00:00Z", "2025-01-15T14:00:00Z", [] },
        { Intervals.Every5Minutes, Utc, null, "2025-01-15T10:02:00Z", "2025-01-15T10:20:00Z", "2025-01-15T10:00:00Z", "2025-01-15T11:00:00Z", ["2025-01-15T10:05:00Z", "2025-01-15T10:10:00Z", "2025-01-15T10:15:00Z", "2025-01-15T10:20:00Z"] },
        { Intervals.Day, Berlin, 0, null, null, "2025-03-28T23:00:00Z", "2025-03-31T22:00:00Z", ["2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", "2025-03-31T22:00:00Z"] },
        { Intervals.Day, Berlin, 0, "2025-03-30T00:00:00Z", null, "2025-03-28T23:00:00Z", "2025-03-31T22:00:00Z", ["2025-03-30T22:00:00Z", "2025-03-31T22:00:00Z"] },
        { Intervals.Day, Berlin, 0, "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", "2025-03-20T00:00:00Z", "2025-04-10T00:00:00Z", ["2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z"] },
        { Intervals.Week, Berlin, MondayAt2, null, "2025-04-07T00:00:00Z", "2025-03-17T01:00:00Z", "2025-05-01T00:00:00Z", ["2025-03-24T01:00:00Z", "2025-03-31T00:00:00Z", "2025-04-07T00:00:00Z"] },
    };

    [Theory]
    [MemberData(nameof(FiringCases))]
    public void FiringsBetween_IsAfterExclusiveUntilInclusive_WithinStartAtAndEndAt(
        string interval, string timezone, int? offset, string? startAt, string? endAt, string after, string until, string[] firings)
    {
        var spec = new ScheduleSpec(interval, timezone, offset, startAt is null ? null : At(startAt), endAt is null ? null : At(endAt));

        Assert.Equal(firings.Select(At).ToList(), ExportCalendar.FiringsBetween(spec, At(after), At(until)).ToList());
    }

    public static TheoryData<string, string, int?> Specs => new()
    {
        { Intervals.Every5Minutes, Utc, null },
        { Intervals.Every15Minutes, Kathmandu, null },
        { Intervals.Hour, Utc, null },
        { Intervals.Hour, Kathmandu, null },
        { Intervals.Day, Utc, null },
        { Intervals.Day, Berlin, 0 },
        { Intervals.Day, Berlin, 2 * Hour },
        { Intervals.Day, NewYork, 1 * Hour },
        { Intervals.Day, Kathmandu, 23 * Hour },
        { Intervals.Day, "Australia/Lord_Howe", 2 * Hour },
        { Intervals.Day, "Pacific/Chatham", 3 * Hour },
        { Intervals.Week, Utc, null },
        { Intervals.Week, Berlin, MondayAt2 },
        { Intervals.Week, NewYork, (6 * Day) + (1 * Hour) },
        { Intervals.Week, "Pacific/Chatham", 3 * Hour },
        { Intervals.Day, "Antarctica/Troll", 2 * Hour },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void CountIntervalsCovering_AgreesWithIntervalsCovering_OnRandomRanges(string interval, string timezone, int? offset)
    {
        var spec = new ScheduleSpec(interval, timezone, offset);
        var nominal = Intervals.NominalLength(interval);
        var random = new Random(20250330);

        for (var i = 0; i < 300; i++)
        {
            var start = RandomInstant(random);
            var end = start + (nominal * ((random.NextDouble() * 42) - 2));
            var intervals = ExportCalendar.IntervalsCovering(spec, start, end).ToList();

            Assert.Equal(intervals.Count, ExportCalendar.CountIntervalsCovering(spec, start, end));
            if (intervals.Count > 0)
            {
                Assert.Equal(ExportCalendar.Floor(spec, start), intervals[0].Start);
                Assert.True(intervals[^1].End <= end);
                Assert.True(ExportCalendar.Next(spec, intervals[^1].End) > end);
            }

            Assert.All(intervals.Zip(intervals.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void FloorNextPrevious_AreConsistent_OnRandomInstants(string interval, string timezone, int? offset)
    {
        var spec = new ScheduleSpec(interval, timezone, offset);
        var nominal = Intervals.NominalLength(interval);
        var random = new Random(20251026);

        for (var i = 0; i < 300; i++)
        {
            var at = RandomInstant(random);
            var floor = ExportCalendar.Floor(spec, at);
            var next = ExportCalendar.Next(spec, at);
            var previous = ExportCalendar.Previous(spec, at);

            Assert.True(floor <= at && at < next, $"{floor:O} <= {at:O} < {next:O}");
            Assert.True(previous < at && previous <= floor);
            Assert.Equal(next, ExportCalendar.Next(spec, floor));
            Assert.Equal(floor, ExportCalendar.Previous(spec, next));
            Assert.Equal(next, ExportCalendar.Floor(spec, next));
            Assert.Equal(previous, ExportCalendar.Floor(spec, previous));
            // Troll's DST shifts by two hours, the most any zone does.
            Assert.InRange(next - floor, nominal - TimeSpan.FromHours(2), nominal + TimeSpan.FromHours(2));
        }
    }

    [Theory]
    [InlineData(Intervals.Day, "invalid")]
    [InlineData(Intervals.Day, "Mars/Olympus_Mons")]
    [InlineData(Intervals.Week, "invalid")]
    public void UnknownTimezone_Throws(string interval, string timezone)
    {
        var spec = new ScheduleSpec(interval, timezone);
        var at = At("2025-01-15T12:00:00Z");

        Assert.Throws<ArgumentException>(() => ExportCalendar.Floor(spec, at));
        Assert.Throws<ArgumentException>(() => ExportCalendar.Next(spec, at));
        Assert.Throws<ArgumentException>(() => ExportCalendar.Previous(spec, at));
        Assert.Throws<ArgumentException>(() => ExportCalendar.StartOfLocalDate(spec, new DateOnly(2025, 1, 15)));
        Assert.Throws<ArgumentException>(() => ExportCalendar.IntervalsCovering(spec, at, at.AddDays(30)).ToList());
    }

    [Theory]
    [InlineData("UTC", true)]
    [InlineData("Europe/Berlin", true)]
    [InlineData("Asia/Kathmandu", true)]
    [InlineData("Asia/Katmandu", true)]
    [InlineData("US/Pacific", true)]
    [InlineData("Etc/GMT+5", true)]
    [InlineData("invalid", false)]
    [InlineData("", false)]
    [InlineData("Europe/Nowhere", false)]
    public void IsKnownTimezone_AcceptsTzdbIdsAndLegacyAliases(string timezone, bool known)
    {
        Assert.Equal(known, ExportCalendar.IsKnownTimezone(timezone));
    }

    [Fact]
    public void LegacyAlias_HasTheSameBoundariesAsItsCanonicalZone()
    {
        var alias = new ScheduleSpec(Intervals.Day, "US/Pacific", 2 * Hour);
        var canonical = alias with { Timezone = "America/Los_Angeles" };

        Assert.Equal(
            ExportCalendar.IntervalsCovering(canonical, At("2025-03-01T00:00:00Z"), At("2025-04-01T00:00:00Z")),
            ExportCalendar.IntervalsCovering(alias, At("2025-03-01T00:00:00Z"), At("2025-04-01T00:00:00Z")));
    }

    [Theory]
    [InlineData("2025-01-12", 0)]
    [InlineData("2025-01-13", 1)]
    [InlineData("2025-01-18", 6)]
    public void PostHogWeekday_IsZeroForSunday(string date, int weekday)
    {
        Assert.Equal(weekday, ExportCalendar.PostHogWeekday(DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(Intervals.Hour, "UTC", null, Intervals.Hour, "Europe/Berlin", 7200, true)]
    [InlineData(Intervals.Day, "UTC", null, Intervals.Day, "UTC", 0, true)]
    [InlineData(Intervals.Day, "UTC", 0, Intervals.Day, "Europe/Berlin", 0, false)]
    [InlineData(Intervals.Day, "UTC", 0, Intervals.Day, "UTC", 3600, false)]
    [InlineData(Intervals.Day, "UTC", 0, Intervals.Week, "UTC", 0, false)]
    public void SameBoundariesAs(string interval, string timezone, int? offset, string otherInterval, string otherTimezone, int? otherOffset, bool same)
    {
        Assert.Equal(same, new ScheduleSpec(interval, timezone, offset).SameBoundariesAs(new ScheduleSpec(otherInterval, otherTimezone, otherOffset)));
    }

    private static DateTimeOffset At(string instant) =>
        DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static DateTimeOffset RandomInstant(Random random) =>
        At("2024-01-01T00:00:00Z") + TimeSpan.FromTicks(random.NextInt64(TimeSpan.FromDays(3 * 365).Ticks));
}
