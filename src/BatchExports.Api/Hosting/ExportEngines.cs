using BatchExports.Pipeline;
using BatchExports.Temporal;

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
    public const string Temporal = "Temporal";

    public static readonly IReadOnlyList<string> Kinds = [Embedded, Temporal];

    /// <summary>The configured kind, Embedded when unset.</summary>
    public static string KindOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kind = configuration[KindKey];
        return string.IsNullOrWhiteSpace(kind) ? Embedded
            : Kinds.FirstOrDefault(k => string.Equals(k, kind, StringComparison.OrdinalIgnoreCase))
                // Thrown while the host is built, so a mistyped kind stops start-up instead of serving with no engine.
                ?? throw new ArgumentException($"Unknown {KindKey} '{kind}'. Supported engines: {string.Join(", ", Kinds)}.");
    }

    public static IServiceCollection AddExportEngine(this IServiceCollection services, IConfiguration configuration)
    {
        var kind = KindOf(configuration);

        // The pipeline serves the destination test steps whatever engine runs the exports.
        services.AddExportPipeline();
        if (kind == Temporal)
        {
            // Runs execute in BatchExports.Worker processes; this host is the control plane only.
            services.AddTemporalControlPlane();
        }
        else
        {
            services.AddEmbeddedEngine();
        }

        return services;
    }
}
