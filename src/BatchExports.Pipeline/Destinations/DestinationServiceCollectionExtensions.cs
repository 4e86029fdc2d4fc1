using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BatchExports.Pipeline.Destinations;

/// <summary>
/// Registers a destination type once: its definition (read through <see cref="DestinationRegistry"/> by validation,
/// mapping and the documents), its runner (read by the pipeline) and its test steps (read by the test routes).
/// </summary>
public static class DestinationServiceCollectionExtensions
{
    public static IServiceCollection AddDestination<TDefinition, TRunner, TTestSteps>(this IServiceCollection services)
        where TDefinition : class, IDestinationDefinition
        where TRunner : class, IDestination
        where TTestSteps : class, IDestinationTest
    {
        services.AddDestinationParts<TDefinition, TRunner>();
        services.AddSingleton<IDestinationTest, TTestSteps>();
        return services;
    }

    /// <summary>A type PostHog runs no destination test for: its test routes answer 404, as PostHog's do.</summary>
    public static IServiceCollection AddDestination<TDefinition, TRunner>(this IServiceCollection services)
        where TDefinition : class, IDestinationDefinition
        where TRunner : class, IDestination
    {
        services.AddDestinationParts<TDefinition, TRunner>();
        services.AddSingleton<IDestinationTest>(provider => new NoTestSteps(provider.GetRequiredService<TDefinition>().Type));
        return services;
    }

    private static void AddDestinationParts<TDefinition, TRunner>(this IServiceCollection services)
        where TDefinition : class, IDestinationDefinition
        where TRunner : class, IDestination
    {
        services.TryAddSingleton<DestinationRegistry>();
        services.AddSingleton<TDefinition>();
        services.AddSingleton<IDestinationDefinition>(provider => provider.GetRequiredService<TDefinition>());
        services.AddSingleton<TRunner>();
        services.AddSingleton<IDestination>(provider => provider.GetRequiredService<TRunner>());
    }
}
