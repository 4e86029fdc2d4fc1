using BatchExports.Core.Services.AppMetrics;

namespace BatchExports.Api.AppMetrics;

public static class AppMetricsMappings
{
    public static AppMetricsResponse ToResponse(this AppMetricsView view) => new(
        new AppMetricsSeriesResponse(
            view.Dates.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            view.Successes,
            view.Dates.Select(_ => 0L).ToList(),
            view.Failures,
            new AppMetricsTotalsResponse(view.TotalSuccesses, 0, view.TotalFailures)),
        null);

    public static AppMetricsErrorResponse ToResponse(this AppMetricsError error) => new(error.ErrorType, error.Count, error.LastSeen);
}
