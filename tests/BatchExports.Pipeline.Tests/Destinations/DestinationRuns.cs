using BatchExports.Testing;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Tests.Destinations;

/// <summary>The interval and team the destination tests export, over the test kit's <see cref="PipelineRuns"/>.</summary>
internal static class DestinationRuns
{
    public const int TeamId = 2;

    /// <summary>The interval most tests export: 2024-01-01 10:00 to 11:00 UTC.</summary>
    public static readonly DateTimeOffset Start = new(2024, 1, 1, 10, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset End = Start.AddHours(1);

    public static RunContext Context(
        string destinationType,
        JsonObject config,
        string model = ExportModels.Events,
        int attempt = 1,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        JsonObject? schema = null,
        IRunLog? log = null) =>
        PipelineRuns.Context(destinationType, config, start ?? Start, end ?? End, TeamId, model, schema: schema, log: log, attempt: attempt);
}
