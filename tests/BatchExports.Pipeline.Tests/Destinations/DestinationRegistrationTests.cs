using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline.Destinations;
using BatchExports.Pipeline.Destinations.Http;
using BatchExports.Pipeline.Destinations.NoOp;
using BatchExports.Pipeline.Destinations.Postgres;
using BatchExports.Pipeline.Destinations.Redshift;
using BatchExports.Pipeline.Destinations.S3;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Tests.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Pipeline.Tests.Destinations;

public sealed class DestinationRegistrationTests
{
    [Theory]
    [InlineData(PostgresDefinition.TypeName)]
    [InlineData(RedshiftDefinition.TypeName)]
    [InlineData(HttpDefinition.TypeName)]
    [InlineData(NoOpDefinition.TypeName)]
    public void The_pipeline_registers_the_destination(string type)
    {
        using var services = PipelineServices.Build(new SourceData("Host=unused"));

        Assert.Single(services.GetServices<IDestination>(), d => d.Type == type);
    }

    [Fact]
    public void Every_registered_definition_has_one_runner_one_test_and_a_workflow_name()
    {
        using var services = PipelineServices.Build(new SourceData("Host=unused"));
        var registry = services.GetRequiredService<DestinationRegistry>();
        var runners = services.GetServices<IDestination>().ToList();
        var tests = services.GetServices<IDestinationTest>().ToList();

        Assert.NotEmpty(registry.Definitions);
        foreach (var definition in registry.Definitions)
        {
            Assert.Single(runners, r => r.Type == definition.Type);
            Assert.Single(tests, t => t.Type == definition.Type);
            Assert.False(string.IsNullOrWhiteSpace(definition.WorkflowName), $"{definition.Type} has no workflow name");
            Assert.False(string.IsNullOrWhiteSpace(definition.Description), $"{definition.Type} has no description");
            Assert.All(definition.Fields.Where(f => f.Required).Select(f => f.Name), name => Assert.True(definition.ExampleConfig.ContainsKey(name), $"{definition.Type}'s example lacks '{name}'"));
        }

        // FileDownload runs on-demand exports only: a runner, but not a type a batch export may choose.
        Assert.Equal(registry.SupportedTypes.Append("FileDownload").Order(), runners.Select(r => r.Type).Order());
        Assert.Null(registry.Find("FileDownload"));
        Assert.Contains("FileDownload", DestinationRegistry.UnsupportedPostHogTypes);
        Assert.Equal(registry.SupportedTypes.Order(), tests.Select(t => t.Type).Order());
    }

    [Fact]
    public void The_registry_names_the_types_in_the_order_error_messages_name_them()
    {
        using var services = PipelineServices.Build(new SourceData("Host=unused"));
        var registry = services.GetRequiredService<DestinationRegistry>();

        Assert.Equal(["S3", "Postgres", "Redshift", "HTTP", "NoOp"], registry.SupportedTypes);
        Assert.Equal("'S3', 'Postgres', 'Redshift', 'HTTP', 'NoOp'", registry.SupportedTypesText);
        Assert.Equal(
            ["s3-export", "postgres-export", "redshift-export", "http-export", "no-op"],
            registry.Definitions.Select(d => d.WorkflowName));
    }

    [Fact]
    public void Secret_keys_are_the_secret_fields_and_the_nested_secret_keys()
    {
        using var services = PipelineServices.Build(new SourceData("Host=unused"));
        var registry = services.GetRequiredService<DestinationRegistry>();

        Assert.Equal(["aws_access_key_id", "aws_secret_access_key"], registry.SecretKeys(S3Definition.TypeName));
        Assert.Equal(["user", "password", "aws_access_key_id", "aws_secret_access_key"], registry.SecretKeys(RedshiftDefinition.TypeName));
        Assert.Equal(["token"], registry.SecretKeys(HttpDefinition.TypeName));
        Assert.Empty(registry.SecretKeys(NoOpDefinition.TypeName));
        Assert.Empty(registry.SecretKeys("Snowflake"));
    }

    [Fact]
    public void Only_S3_has_test_steps_as_in_PostHog()
    {
        using var services = PipelineServices.Build(new SourceData("Host=unused"));
        var tests = services.GetRequiredService<Core.Services.DestinationTests.IDestinationTestSteps>();

        Assert.Equal(["Check S3 bucket exists"], tests.StepsFor(S3Definition.TypeName)!.Select(s => s.Name));
        Assert.All(
            [PostgresDefinition.TypeName, RedshiftDefinition.TypeName, HttpDefinition.TypeName, NoOpDefinition.TypeName],
            type => Assert.Null(tests.StepsFor(type)));
    }
}
