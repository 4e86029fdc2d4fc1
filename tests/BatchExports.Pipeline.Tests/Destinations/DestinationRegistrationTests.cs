using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Pipeline.Tests.Destinations;

public sealed class DestinationRegistrationTests
{
    [Theory]
    [InlineData(DestinationCatalog.Postgres)]
    [InlineData(DestinationCatalog.Redshift)]
    [InlineData(DestinationCatalog.Http)]
    [InlineData(DestinationCatalog.NoOp)]
    public void The_pipeline_registers_the_destination(string type)
    {
        using var services = PipelineServices.Build(new SourceData("Host=unused"));

        Assert.Single(services.GetServices<IDestination>(), d => d.Type == type);
    }
}
