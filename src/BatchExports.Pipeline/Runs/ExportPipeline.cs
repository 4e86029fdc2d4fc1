using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// Runs one interval through the destination its export names. Every engine executes runs through this, so the
/// embedded engine and a Temporal worker export identically.
/// </summary>
public sealed class ExportPipeline(IEnumerable<IDestination> destinations) : IRunPipeline
{
    private readonly IReadOnlyDictionary<string, IDestination> _destinations = destinations.ToDictionary(d => d.Type);

    public Task<RunOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken) =>
        _destinations.TryGetValue(context.Export.Destination.Type, out var destination)
            ? destination.ExportAsync(context, cancellationToken)
            : throw new NonRetryableExportException(
                $"Exports to '{context.Export.Destination.Type}' cannot run on this server. Supported destination types are: {DestinationCatalog.SupportedTypesText}.");
}

/// <summary>One destination type's export of a run.</summary>
public interface IDestination
{
    string Type { get; }

    Task<RunOutcome> ExportAsync(RunContext context, CancellationToken cancellationToken);
}
