namespace BatchExports.Core.Services.AppMetrics;

/// <summary>One distinct error of an export's failed runs: how often it happened and when last.</summary>
public sealed record AppMetricsError(string ErrorType, int Count, DateTimeOffset LastSeen);
