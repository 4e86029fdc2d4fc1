namespace BatchExports.Core.Domain;

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
