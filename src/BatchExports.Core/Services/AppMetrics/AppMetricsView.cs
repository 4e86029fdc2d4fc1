namespace BatchExports.Core.Services.AppMetrics;

/// <summary>An export's records per UTC day (PostHog's batch-export app metrics): only days with finished runs appear.</summary>
public sealed record AppMetricsView(IReadOnlyList<DateOnly> Dates, IReadOnlyList<long> Successes, IReadOnlyList<long> Failures)
{
    public long TotalSuccesses => Successes.Sum();

    public long TotalFailures => Failures.Sum();
}
