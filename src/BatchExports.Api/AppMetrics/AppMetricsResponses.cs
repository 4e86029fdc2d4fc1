namespace BatchExports.Api.AppMetrics;

/// <summary>PostHog's app metrics of a batch export: the per-day series, and <c>errors</c> (always null for batch exports).</summary>
public sealed record AppMetricsResponse(AppMetricsSeriesResponse Metrics, IReadOnlyList<AppMetricsErrorResponse>? Errors);

/// <summary>Records exported (successes) and not exported (failures) per UTC day; nothing is retried per record, so successes_on_retry is 0.</summary>
public sealed record AppMetricsSeriesResponse(
    IReadOnlyList<string> Dates,
    IReadOnlyList<long> Successes,
    IReadOnlyList<long> SuccessesOnRetry,
    IReadOnlyList<long> Failures,
    AppMetricsTotalsResponse Totals);

public sealed record AppMetricsTotalsResponse(long Successes, long SuccessesOnRetry, long Failures);

/// <summary>One distinct error: its message, how many failed runs had it, and when the last one did.</summary>
public sealed record AppMetricsErrorResponse(string ErrorType, int Count, DateTimeOffset LastSeen);

public sealed record AppMetricsErrorDetailsResponse(IReadOnlyList<AppMetricsErrorResponse> Result);

/// <summary>A plugin's historical export; batch exports have none, so lists are empty.</summary>
public sealed record HistoricalExportResponse(string JobId, string Status, DateTimeOffset CreatedAt);

public sealed record HistoricalExportsResponse(IReadOnlyList<HistoricalExportResponse> Results);
