using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>
/// One field of a destination's workflow inputs (PostHog's dataclass fields). <paramref name="Description"/> is what
/// the OpenAPI document says about the field, when there is more to say than its name; <paramref name="Shape"/> what it
/// holds, when its kind does not say it all.
/// </summary>
public sealed record ConfigField(
    string Name,
    ConfigValueKind Kind,
    bool Required = false,
    JsonNode? Default = null,
    bool Secret = false,
    string? Description = null,
    ConfigFieldShape? Shape = null);
