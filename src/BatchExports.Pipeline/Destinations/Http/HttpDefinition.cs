using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Core.Domain.Destinations;
using BatchExports.Core.Hosting;
using Microsoft.Extensions.Options;

namespace BatchExports.Pipeline.Destinations.Http;

/// <summary>
/// PostHog's HTTP destination (PostHog-to-PostHog migrations): events POSTed to a capture URL the deployment allows
/// (<see cref="BatchExportsOptions.AllowedHttpDestinationUrls"/>).
/// </summary>
public sealed class HttpDefinition(IOptions<BatchExportsOptions> options) : IDestinationDefinition
{
    public const string TypeName = "HTTP";

    public string Type => TypeName;

    public string WorkflowName => "http-export";

    public IReadOnlyList<ConfigField> Fields { get; } =
    [
        new("url", ConfigValueKind.String, Required: true),
        new("token", ConfigValueKind.String, Required: true, Secret: true),
    ];

    public string Description => "Events POSTed in batches to a PostHog capture endpoint (for migrations between PostHog projects).";

    public JsonObject ExampleConfig => new()
    {
        ["url"] = "https://us.i.posthog.com/batch/",
        ["token"] = "phc_...",
    };

    /// <summary>Sending events somewhere needs no fixed end: a backfill without <c>end_at</c> runs up to now.</summary>
    public bool BackfillMayOmitEndAt => true;

    public DestinationConfigCheck CheckConfig(JsonObject merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        var url = DestinationConfigRules.StringOrNull(merged["url"]);
        return url != null && !options.Value.AllowedHttpDestinationUrls.Contains(url)
            ? DestinationConfigCheck.Invalid(merged, $"Invalid destination URL: {url}")
            : DestinationConfigCheck.Valid(merged);
    }

    public DestinationRuleViolation? CheckModelFit(string model, bool hasCustomSchema)
    {
        if (model != ExportModels.Events)
        {
            return new DestinationRuleViolation("HTTP batch exports only support the events model");
        }

        // PostHog's capture endpoint takes events as they are; a custom column set cannot be sent there.
        return hasCustomSchema
            ? new DestinationRuleViolation("HTTP batch exports do not support a custom schema (hogql_query).", "hogql_query")
            : null;
    }
}
