using BatchExports.Testing;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Tests.Destinations;

/// <summary>Builds the <see cref="RunContext"/> a destination gets from the engine, for one interval of one export.</summary>
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
        IRunLog? log = null)
    {
        var export = new BatchExport
        {
            Id = Guid.NewGuid(),
            TeamId = TeamId,
            Name = "destination test",
            Destination = new BatchExportDestination { Id = Guid.NewGuid(), Type = destinationType },
            Interval = Intervals.Hour,
            Model = model,
            Schema = schema,
        };
        var run = new BatchExportRun
        {
            Id = Guid.NewGuid(),
            BatchExportId = export.Id,
            Status = RunStatuses.Running,
            DataIntervalStart = start ?? Start,
            DataIntervalEnd = end ?? End,
            Attempt = attempt,
        };
        return new RunContext(run, export, config, log ?? new RecordingRunLog());
    }
}
