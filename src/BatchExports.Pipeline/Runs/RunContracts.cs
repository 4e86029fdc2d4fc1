using System.Text.Json.Nodes;
using BatchExports.Core.Domain;

namespace BatchExports.Pipeline.Runs;

/// <summary>Everything one run needs: the run, its export, the decrypted destination config and a log for the user.</summary>
public sealed record RunContext(BatchExportRun Run, BatchExport Export, JsonObject Config, IRunLog Log)
{
    /// <summary>Backfill runs select by event time; scheduled runs by ingestion time (as PostHog does).</summary>
    public bool IsBackfill => Run.BackfillId != null;

    /// <summary>The run's data interval: the one every stage reads (source bounds, object keys, log lines).</summary>
    public RunInterval Interval => RunInterval.Of(Run);
}

public sealed record RunOutcome(long RecordsCompleted, long BytesExported, long? RecordsTotal = null)
{
    /// <summary>Files a destination wrote that the user downloads through the API (file downloads); recorded with the Completed status.</summary>
    public IReadOnlyList<DownloadableFile> Files { get; init; } = [];
}

/// <summary>One written file to serve: its storage key, size and the instant it stops being downloadable.</summary>
public sealed record DownloadableFile(string Key, long SizeBytes, DateTimeOffset? ExpiresAt);

/// <summary>User-visible log lines of one run (its <c>instance_id</c>).</summary>
public interface IRunLog
{
    Task InfoAsync(string message, CancellationToken cancellationToken);

    Task WarningAsync(string message, CancellationToken cancellationToken);

    Task ErrorAsync(string message, CancellationToken cancellationToken);
}

/// <summary>Exports one run's data interval to its destination; the same pipeline serves every engine.</summary>
public interface IRunPipeline
{
    Task<RunOutcome> ExecuteAsync(RunContext context, CancellationToken cancellationToken);
}

/// <summary>
/// A failure the user must fix (bad credentials, missing bucket, invalid settings): the run fails at once with
/// this message as its <c>latest_error</c>, instead of being retried.
/// </summary>
public sealed class NonRetryableExportException(string message, Exception? innerException = null) : Exception(message, innerException);
