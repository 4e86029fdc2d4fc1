using BatchExports.Pipeline.Destinations;
using BatchExports.Pipeline.Destinations.FileDownload;
using BatchExports.Pipeline.Destinations.Http;
using BatchExports.Pipeline.Destinations.NoOp;
using BatchExports.Pipeline.Destinations.Postgres;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Embedded;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>The export pipeline (source, formats, destinations), the run lifecycle and backfill planning every engine shares.</summary>
    public static IServiceCollection AddExportPipeline(this IServiceCollection services)
    {
        services.AddSingleton<ISource, PostgresSource>();

        // The destination types, in the order error messages name them; one line each.
        services.AddDestination<S3Definition, S3Destination, S3TestSteps>();
        services.AddDestination<PostgresDefinition, PostgresDestination>();
        services.AddDestination<RedshiftDefinition, RedshiftDestination>();
        services.AddDestination<HttpDefinition, HttpDestination>();
        services.AddDestination<NoOpDefinition, NoOpDestination>();

        // File downloads: on-demand runs only, so a runner without a definition in the registry.
        services.AddFileDownloads();

        // What the runners take from configuration.
        services.AddOptions<S3Options>().BindConfiguration(S3Options.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<S3Options>>().Value.ToUploadOptions());
        services.AddHttpClient(HttpDestination.HttpClientName, client => client.Timeout = TimeSpan.FromMinutes(2));

        services.AddSingleton<IRunPipeline, ExportPipeline>();
        services.AddSingleton<RunLifecycle>();
        services.AddSingleton<BackfillPlanner>();
        services.AddSingleton<Core.Services.DestinationTests.IDestinationTestSteps, DestinationTestService>();
        return services;
    }

    public static IServiceCollection AddEmbeddedEngine(this IServiceCollection services)
    {
        services.AddOptions<EngineOptions>()
            .BindConfiguration(EngineOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddScoped<Core.Orchestration.IExportOrchestrator, EmbeddedOrchestrator>();
        services.AddSingleton<ScheduleReconciler>();
        services.AddSingleton<ScheduleTicker>();
        services.AddSingleton<BackfillDriver>();
        services.AddSingleton<RunExecutor>();
        services.AddSingleton<EngineWakeup>();
        services.AddSingleton<EngineListener>();
        services.AddHostedService<EmbeddedEngine>();
        return services;
    }
}
