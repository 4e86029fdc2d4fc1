using BatchExports.Core.Json;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations;

/// <summary>User-visible log lines shared by the destinations, worded as PostHog's.</summary>
internal static class ExportMessages
{
    public static string Range(RunContext context) =>
        $"{(context.Run.DataIntervalStart is { } start ? WireJson.FormatDateTime(start) : "START")} - {WireJson.FormatDateTime(context.Run.DataIntervalEnd)}";

    public static Task NoDataAsync(RunContext context, CancellationToken cancellationToken) =>
        context.Log.InfoAsync(
            $"Batch export will finish early as there is no data matching specified filters in range {Range(context)}", cancellationToken);
}
