namespace BatchExports.Api.Commands;

/// <summary>Fills the source tables with synthetic data for demos and the benchmark.</summary>
public static class GenerateEventsCommand
{
    public static Task<string> RunAsync(IServiceProvider services, CommandOptions options, CancellationToken cancellationToken) =>
        throw new ArgumentException("generate-events is not available yet: the source tables arrive with the export pipeline.");
}
