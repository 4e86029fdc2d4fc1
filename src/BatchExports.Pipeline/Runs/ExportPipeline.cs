using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Source → format → destination for one run. The pipeline builds the source read from the run (model, the data
/// interval, filters, include/exclude events, custom schema, backfill or scheduled, and the destination's fields)
/// and hands the destination the run's context and its records. Every engine executes runs through this, so the
/// embedded engine and a Temporal worker export identically.
/// </summary>
public sealed class ExportPipeline(ISource source, IEnumerable<IDestination> destinations, DestinationRegistry registry) : IRunPipeline
{
    private readonly IReadOnlyDictionary<string, IDestination> _destinations = destinations.ToDictionary(d => d.Type);

    public async Task<RunOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_destinations.TryGetValue(context.Export.Destination.Type, out var destination))
        {
            throw new NonRetryableExportException(
                $"Exports to '{context.Export.Destination.Type}' cannot run on this server. Supported destination types are: {registry.SupportedTypesText}.");
        }

        // The read is lazy: nothing reaches the source before the destination has checked its config and asks for rows.
        await using var records = destination.EventFields is { } fields
            ? new RecordStream(
                source.Read(new SourceRequest(ExportSelection.Of(context.Export, context.Config), context.Interval.Bounds, context.IsBackfill, fields, destination.NeedsOrderedRecords,
                        destination.AcceptsUtf8Json),
                    destination.BatchSize),
                cancellationToken)
            : RecordStream.Empty;
        return await destination.ExportAsync(context, records, cancellationToken);
    }
}
