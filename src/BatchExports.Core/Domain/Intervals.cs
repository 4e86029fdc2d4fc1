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
}

public static class ExportModels
{
    public const string Events = "events";
    public const string Persons = "persons";
    public const string Sessions = "sessions";

    public static readonly IReadOnlyList<string> All = [Events, Persons, Sessions];
}

public static class RunStatuses
{
    public const string Cancelled = "Cancelled";
    public const string Completed = "Completed";
    public const string ContinuedAsNew = "ContinuedAsNew";
    public const string Failed = "Failed";
    public const string FailedRetryable = "FailedRetryable";
    public const string FailedBilling = "FailedBilling";
    public const string Terminated = "Terminated";
    public const string TimedOut = "TimedOut";
    public const string Running = "Running";
    public const string Starting = "Starting";

    public static readonly IReadOnlyList<string> All =
        [Cancelled, Completed, ContinuedAsNew, Failed, FailedRetryable, FailedBilling, Terminated, TimedOut, Running, Starting];

    public static bool IsActive(string status) => status is Running or Starting;
}

public static class BackfillStatuses
{
    public const string Cancelled = RunStatuses.Cancelled;
    public const string Completed = RunStatuses.Completed;
    public const string Failed = RunStatuses.Failed;
    public const string Running = RunStatuses.Running;
    public const string Starting = RunStatuses.Starting;

    public static bool IsActive(string status) => status is Running or Starting;
}

public static class LogLevels
{
    public const string Debug = "DEBUG";
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";

    public static readonly IReadOnlyList<string> All = [Debug, "LOG", Info, Warning, Error];
}
