namespace BatchExports.Core.Domain;

public static class BackfillStatuses
{
    public const string Cancelled = RunStatuses.Cancelled;
    public const string Completed = RunStatuses.Completed;
    public const string Failed = RunStatuses.Failed;
    public const string Running = RunStatuses.Running;
    public const string Starting = RunStatuses.Starting;

    public static bool IsActive(string status) => status is Running or Starting;
}
