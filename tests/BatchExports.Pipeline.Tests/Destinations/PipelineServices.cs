using BatchExports.Core.Hosting;
using BatchExports.Pipeline.Tests.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Pipeline.Tests.Destinations;

/// <summary>The export pipeline's services as <c>AddExportPipeline</c> registers them, reading from a test source.</summary>
internal static class PipelineServices
{
    public static ServiceProvider Build(SourceData source) =>
        new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton<IDatabaseConnection>(source)
            .AddExportPipeline()
            .BuildServiceProvider();
}
