namespace BatchExports.Core.Domain;

/// <summary>The schedule intervals, spelled exactly as PostHog spells them on the wire.</summary>
public static class Intervals
{
    public const string Hour = "hour";
    public const string Day = "day";
    public const string Week = "week";
    public const string Every5Minutes = "every 5 minutes";
    public const string Every15Minutes = "every 15 minutes";

    public static readonly IReadOnlyList<string> All = [Hour, Day, Week, Every5Minutes, Every15Minutes];

    public static bool IsSubHourly(string interval) => interval is Every5Minutes or Every15Minutes;

    public static bool IsCalendar(string interval) => interval is Day or Week;

    /// <summary>The nominal length of one interval; calendar intervals may differ by an hour across DST.</summary>
    public static TimeSpan NominalLength(string interval) => interval switch
    {
        Hour => TimeSpan.FromHours(1),
        Day => TimeSpan.FromDays(1),
        Week => TimeSpan.FromDays(7),
        Every5Minutes => TimeSpan.FromMinutes(5),
        Every15Minutes => TimeSpan.FromMinutes(15),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unsupported interval"),
    };

    /// <summary>
    /// How many of an export's latest runs PostHog's failure-threshold check looks at (worker spec §1.4): about a
    /// day of hourly runs, a week of daily ones, a month of weekly ones, an hour of sub-hourly ones (60 / N).
    /// </summary>
    public static int FailureCheckWindow(string interval) => interval switch
    {
        Hour => 24,
        Day => 7,
        Week => 4,
        _ when IsSubHourly(interval) => (int)(TimeSpan.FromHours(1) / NominalLength(interval)),
        _ => 50,
    };
}
