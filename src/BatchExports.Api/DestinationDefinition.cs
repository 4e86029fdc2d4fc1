using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Api;

/// <summary>Transitional, beside <see cref="DestinationCatalog"/>: one type as <c>OpenApi/DestinationSchemasFilter</c> reads it.</summary>
internal sealed record DestinationDefinition(string WorkflowName, IReadOnlyList<ConfigField> Fields, IReadOnlySet<string> SecretFields);
