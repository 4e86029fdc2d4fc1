using BatchExports.Core.Domain;
using BatchExports.Core.Json;

namespace BatchExports.Pipeline.Runs;

/// <summary>
/// A run's data interval <c>[Start, End)</c>. PostHog's runs may have no start (then they export from the
/// beginning, and messages say <c>START</c>), so the start stays optional here and only the source reads
/// <see cref="Bounds"/>.
/// </summary>
public sealed record RunInterval(DateTimeOffset? Start, DateTimeOffset End)
{
    public static RunInterval Of(BatchExportRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunInterval(run.DataIntervalStart, run.DataIntervalEnd);
    }

    /// <summary>The bounds the source selects between: an open start is the beginning of time.</summary>
    public DataInterval Bounds => new(Start ?? DateTimeOffset.UnixEpoch, End);

    /// <summary><c>start - end</c> as the user-facing log lines print it.</summary>
    public string Range => $"{(Start is { } start ? WireJson.FormatDateTime(start) : "START")} - {WireJson.FormatDateTime(End)}";
}
