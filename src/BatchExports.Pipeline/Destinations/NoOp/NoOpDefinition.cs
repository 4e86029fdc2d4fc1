using System.Text.Json.Nodes;
using BatchExports.Core.Domain.Destinations;

namespace BatchExports.Pipeline.Destinations.NoOp;

/// <summary>PostHog's no-op destination: runs complete without reading or writing anything (for trying schedules out).</summary>
public sealed class NoOpDefinition : IDestinationDefinition
{
    public const string TypeName = "NoOp";

    public string Type => TypeName;

    public string WorkflowName => "no-op";

    public IReadOnlyList<ConfigField> Fields { get; } =
    [
        new("arg", ConfigValueKind.String, Default: ""),
    ];

    public string Description => "Runs that complete without reading or writing anything: for trying schedules, backfills and runs out.";

    public JsonObject ExampleConfig => new();

    /// <summary>Nothing is written, so nothing depends on where the backfill ends.</summary>
    public bool BackfillMayOmitEndAt => true;
}
