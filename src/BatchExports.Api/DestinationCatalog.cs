using BatchExports.Core.Domain.Destinations;
using BatchExports.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace BatchExports.Api;

/// <summary>
/// Transitional, for <c>OpenApi/DestinationSchemasFilter</c> only: the static shape it read before destination types
/// moved to <see cref="DestinationRegistry"/>. That folder is being rewritten on another branch; once its document
/// filter takes <see cref="DestinationRegistry"/> from dependency injection, delete this file and
/// <see cref="DestinationDefinition"/>. The data are the registry's, from the pipeline's one registration per type.
/// </summary>
internal static class DestinationCatalog
{
    public const string Http = "HTTP";
    public const string NoOp = "NoOp";

    private static readonly Lazy<DestinationRegistry> Registry = new(() =>
        new ServiceCollection().AddExportPipeline().BuildServiceProvider().GetRequiredService<DestinationRegistry>());

    public static IReadOnlyList<ConfigField> BaseFields => DestinationConfigRules.BaseFields;

    public static IReadOnlyList<string> SupportedTypes => Registry.Value.SupportedTypes;

    public static DestinationDefinition Get(string type)
    {
        var definition = Registry.Value.Get(type);
        return new DestinationDefinition(definition.WorkflowName, definition.Fields, Registry.Value.SecretKeys(type));
    }
}
