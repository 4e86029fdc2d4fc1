using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations;

/// <summary>User-visible outcomes shared by the destinations, worded as PostHog's.</summary>
internal static class ExportMessages
{
    /// <summary>The run had no records: say so, and complete it with nothing exported.</summary>
    public static async Task<RunOutcome> NoDataAsync(RunContext context, CancellationToken cancellationToken)
    {
        await context.Log.InfoAsync(
            $"Batch export will finish early as there is no data matching specified filters in range {context.Interval.Range}", cancellationToken);
        return new RunOutcome(0, 0);
    }
}
