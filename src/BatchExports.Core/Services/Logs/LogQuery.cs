namespace BatchExports.Core.Services.Logs;

/// <summary>The validated query parameters of <c>…/logs</c> (PostHog's LogEntryMixin).</summary>
public sealed record LogQuery(
    int Limit,
    int Offset,
    DateTimeOffset? After,
    DateTimeOffset? Before,
    IReadOnlyList<string> Levels,
    string? Search,
    string? InstanceId);
