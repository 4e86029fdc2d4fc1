using System.Text.Json.Nodes;

namespace BatchExports.Core.Domain.Destinations;

/// <summary>
/// What the product knows about one destination type at save time and in its documents: its config fields, secrets,
/// rules and PostHog's workflow name. Each type's definition lives in its own folder beside its runner and is
/// registered by dependency injection; <see cref="DestinationRegistry"/> is how everything else reads them.
/// </summary>
public interface IDestinationDefinition
{
    /// <summary>The <c>destination.type</c> value, as PostHog spells it (<c>S3</c>, <c>HTTP</c>, …).</summary>
    string Type { get; }

    /// <summary>The Temporal workflow PostHog runs for the type (<c>s3-export</c>, …).</summary>
    string WorkflowName { get; }

    /// <summary>The type's config fields, in PostHog's dataclass order (the order errors and documents name them).</summary>
    IReadOnlyList<ConfigField> Fields { get; }

    /// <summary>Secret keys inside nested config objects, removed from responses at any depth like the secret fields.</summary>
    IReadOnlyList<string> NestedSecretKeys => [];

    /// <summary>What the OpenAPI document says about a destination of this type.</summary>
    string Description { get; }

    /// <summary>A config a create request could send, for the OpenAPI document's example.</summary>
    JsonObject ExampleConfig { get; }

    /// <summary>
    /// A backfill may omit <c>end_at</c> (run up to now, then stop) only for types that do not write files or tables
    /// whose layout depends on the interval (PostHog: HTTP and NoOp).
    /// </summary>
    bool BackfillMayOmitEndAt => false;

    /// <summary>
    /// The type's rules on a shape-checked config merged over the stored one (PostHog's <c>validate_destination</c>,
    /// plus checks that move run-time failures to save time); returns the normalised config or the first error.
    /// </summary>
    DestinationConfigCheck CheckConfig(JsonObject merged) => DestinationConfigCheck.Valid(merged);

    /// <summary>Whether the type can export <paramref name="model"/>, with or without a custom schema (hogql_query).</summary>
    DestinationRuleViolation? CheckModelFit(string model, bool hasCustomSchema) => null;
}
