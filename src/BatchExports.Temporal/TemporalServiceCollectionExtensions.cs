using BatchExports.Core.Orchestration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Temporalio.Client;

namespace BatchExports.Temporal;

public static class TemporalServiceCollectionExtensions
{
    /// <summary>
    /// What both hosts need: the <c>Temporal</c> options, a lazily connected client (no connection until first
    /// use, so the API starts while Temporal is away) and the orchestrator adapter.
    /// </summary>
    public static IServiceCollection AddTemporalEngine(this IServiceCollection services)
    {
        services.AddOptions<TemporalOptions>()
            .BindConfiguration(TemporalOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddTemporalClient()
            .Configure<IOptions<TemporalOptions>>((connect, temporal) => TemporalConnection.Apply(connect, temporal.Value));
        services.AddSingleton<TemporalCalls>();
        services.AddScoped<IExportOrchestrator, TemporalOrchestrator>();
        services.AddSingleton<ScheduleSynchronizer>();
        services.AddSingleton<IEngineReadiness, TemporalReadiness>();
        return services;
    }

    /// <summary>The API in Temporal mode: the engine plus the start-up reconcile and the unstarted-run warnings.</summary>
    public static IServiceCollection AddTemporalControlPlane(this IServiceCollection services)
    {
        services.AddTemporalEngine();
        services.AddHostedService<ScheduleReconcileOnStart>();
        services.AddSingleton<UnstartedRunWatch>();
        services.AddHostedService(provider => provider.GetRequiredService<UnstartedRunWatch>());
        return services;
    }
}
