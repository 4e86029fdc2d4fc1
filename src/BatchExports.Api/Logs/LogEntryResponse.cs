namespace BatchExports.Api.Logs;

/// <summary>One log line, as PostHog's log entries API returns it.</summary>
public sealed record LogEntryResponse(string LogSourceId, string? InstanceId, DateTimeOffset Timestamp, string Level, string Message);
