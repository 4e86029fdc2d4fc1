using BatchExports.Core.Domain.Destinations;
using System.Text.Json.Nodes;
using BatchExports.Core.Domain;
using BatchExports.Pipeline.Runs;
using BatchExports.Pipeline.Sources;

namespace BatchExports.Testing;

/// <summary>
/// The one builder of the <see cref="RunContext"/> an engine hands the pipeline, and a one-destination pipeline to
/// run it through, for tests that export without an engine.
/// </summary>
public static class PipelineRuns
{
    public static RunContext Context(
        string destinationType,
        JsonObject config,
        DateTimeOffset start,
        DateTimeOffset end,
        int teamId = 1,
        string model = ExportModels.Events,
        bool backfill = false,
        JsonArray? filters = null,
        JsonObject? schema = null,
        IRunLog? log = null,
        int attempt = 1)
    {
        var export = new BatchExport
        {
            Id = Guid.NewGuid(),
            TeamId = teamId,
            Name = "test",
            Model = model,
            Interval = Intervals.Hour,
            Filters = filters,
            Schema = schema,
            Destination = new BatchExportDestination { Id = Guid.NewGuid(), Type = destinationType },
        };
        var run = new BatchExportRun
        {
            Id = Guid.NewGuid(),
            BatchExportId = export.Id,
            DataIntervalStart = start,
            DataIntervalEnd = end,
            Status = RunStatuses.Running,
            BackfillId = backfill ? Guid.NewGuid() : null,
            Attempt = attempt,
        };
        return new RunContext(run, export, config, log ?? new RecordingRunLog());
    }

    /// <summary>Exports the run through the pipeline with this destination alone, reading <paramref name="source"/>.</summary>
    public static Task<RunOutcome> ExportAsync(this IDestination destination, ISource source, RunContext context, CancellationToken cancellationToken) =>
        new ExportPipeline(source, [destination], new DestinationRegistry([])).ExecuteAsync(context, cancellationToken);
}

/// <summary>Keeps a run's log lines in memory so a test can read what a user would see.</summary>
public sealed class RecordingRunLog : IRunLog
{
    private readonly List<(string Level, string Message)> _entries = [];

    public IReadOnlyList<(string Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public string AllText => string.Join("\n", Entries.Select(e => $"{e.Level}: {e.Message}"));

    public Task InfoAsync(string message, CancellationToken cancellationToken) => Add("INFO", message);

    public Task WarningAsync(string message, CancellationToken cancellationToken) => Add("WARNING", message);

    public Task ErrorAsync(string message, CancellationToken cancellationToken) => Add("ERROR", message);

    private Task Add(string level, string message)
    {
        lock (_entries)
        {
            _entries.Add((level, message));
        }

        return Task.CompletedTask;
    }
}
