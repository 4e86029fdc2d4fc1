using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Destinations.NoOp;

/// <summary>PostHog's no-op destination: the run completes without reading or writing anything.</summary>
public sealed class NoOpDestination : IDestination
{
    public string Type => NoOpDefinition.TypeName;

    public IReadOnlyList<string>? EventFields => null;

    public int BatchSize => 0;

    public Task<RunOutcome> ExportAsync(RunContext context, RecordStream records, CancellationToken cancellationToken) =>
        Task.FromResult(new RunOutcome(0, 0));
}
