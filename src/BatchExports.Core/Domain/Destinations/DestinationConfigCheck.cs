using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>A destination config after a type's save-time checks: the config to store, or the first error (PostHog's message).</summary>
public sealed record DestinationConfigCheck(JsonObject Config, string? Error)
{
    public static DestinationConfigCheck Valid(JsonObject config) => new(config, null);

    public static DestinationConfigCheck Invalid(JsonObject config, string error) => new(config, error);
}
