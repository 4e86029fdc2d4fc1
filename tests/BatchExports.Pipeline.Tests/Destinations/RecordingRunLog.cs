using BatchExports.Pipeline.Runs;

namespace BatchExports.Pipeline.Tests.Destinations;

/// <summary>Keeps a run's user-visible log lines so tests can read them.</summary>
internal sealed class RecordingRunLog : IRunLog
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
