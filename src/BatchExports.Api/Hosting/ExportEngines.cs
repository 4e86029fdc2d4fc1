using BatchExports.Pipeline;

namespace BatchExports.Api.Hosting;

/// <summary>
/// Chooses the engine that runs exports from <c>BatchExports:Engine:Kind</c>. The Api's controllers and services see
/// only Core's ports (<see cref="Core.Orchestration.IExportOrchestrator"/>, the destination test steps), so another
/// engine is one more case here.
/// </summary>
public static class ExportEngines
{
    public const string KindKey = "BatchExports:Engine:Kind";
    public const string Embedded = "Embedded";

    public static readonly IReadOnlyList<string> Kinds = [Embedded];

    public static IServiceCollection AddExportEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var kind = configuration[KindKey];
        if (!string.IsNullOrWhiteSpace(kind) && !string.Equals(kind, Embedded, StringComparison.OrdinalIgnoreCase))
        {
            // Thrown while the host is built, so a mistyped kind stops start-up instead of serving with no engine.
            throw new ArgumentException($"Unknown {KindKey} '{kind}'. Supported engines: {string.Join(", ", Kinds)}.");
        }

        // The pipeline serves the destination test steps whatever engine runs the exports.
        services.AddExportPipeline();
        services.AddEmbeddedEngine();
        return services;
    }
}
