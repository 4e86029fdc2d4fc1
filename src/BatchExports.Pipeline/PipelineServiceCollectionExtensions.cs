using BatchExports.Pipeline.Destinations.Http;
using BatchExports.Pipeline.Destinations.NoOp;
using BatchExports.Pipeline.Destinations.Postgres;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Destinations.Checks;
using BatchExports.Pipeline.Embedded;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>The export pipeline (source, formats, destinations), the run lifecycle and backfill planning every engine shares.</summary>
    public static IServiceCollection AddExportPipeline(this IServiceCollection services)
    {
        services.AddSingleton<ISource, PostgresSource>();
        services.AddSingleton<IDestination, NoOpDestination>();
        services.AddOptions<S3Options>().BindConfiguration(S3Options.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IDestination>(provider => new S3Destination(
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<S3Options>>().Value.ToUploadOptions()));
        services.AddSingleton<IDestination, PostgresDestination>();
        services.AddSingleton<IDestination, RedshiftDestination>();
        services.AddHttpClient(HttpDestination.HttpClientName, client => client.Timeout = TimeSpan.FromMinutes(2));
        services.AddSingleton<IDestination, HttpDestination>();
        services.AddSingleton<IRunPipeline, ExportPipeline>();
        services.AddSingleton<RunLifecycle>();
        services.AddSingleton<BackfillPlanner>();
        services.AddSingleton<IDestinationTest, S3DestinationTest>();
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
        services.AddHostedService<EmbeddedEngine>();
        return services;
    }
}
